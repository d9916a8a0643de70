"""Outbound HTTP (placeholder until the sources module lands): the error callers turn into `unknown`."""


class SourceUnavailable(Exception):
    """A source could not answer: timeout, connection error, 5xx/429 after retries, unparseable body."""
