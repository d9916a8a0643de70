"""Signals other apps listen to; verification never imports its listeners."""

from django.dispatch import Signal

# Sent after the commit that moved a city's pointer; kwargs: snapshot_id.
snapshot_published = Signal()
