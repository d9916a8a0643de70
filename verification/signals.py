"""Signals other apps listen to; verification never imports its listeners."""

from django.dispatch import Signal

# Sent after the commit that moved cities' pointers; kwargs: snapshot_ids (the lists now published).
snapshot_published = Signal()
