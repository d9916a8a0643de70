"""What an import did: its counts, the row errors it kept, how long it took, and the line a command prints."""

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TextIO

MAX_KEPT_ERRORS = 100


@dataclass(frozen=True)
class RowError:
    line: int
    message: str

    def __str__(self):
        return f"line {self.line}: {self.message}"


@dataclass
class ImportSummary:
    """What an import did, in counts; at most MAX_KEPT_ERRORS row errors are kept, all rows with one counted."""

    source: str
    unit: str = "line"  # what a RowError's number counts: file lines, or results of an API search
    retires: bool = False  # a full file: what it no longer lists becomes inactive
    replaces: bool = False  # a file that replaces a period: what it no longer lists is removed
    read: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    inactive: int = 0
    removed: int = 0
    skipped: int = 0
    bad: int = 0  # rows (or results) with at least one error
    errors: list[RowError] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    fatal: str = ""
    seconds: float | None = None  # the import itself, without process start-up; set by the caller
    errors_not_kept: int = 0
    _last_bad_line: int | None = field(default=None, repr=False)

    def error(self, line: int, message: str) -> None:
        """Record a problem with one row; rows are reported in order, so a row's second problem is not counted."""
        if line != self._last_bad_line:
            self.bad += 1
            self._last_bad_line = line
        if len(self.errors) < MAX_KEPT_ERRORS:
            self.errors.append(RowError(line, message))
        else:
            self.errors_not_kept += 1

    @property
    def changed(self) -> int:
        """What the import wrote: 0 when the same file is imported again."""
        return self.created + self.updated + self.inactive + self.removed

    def line(self) -> str:
        """The one summary line a command prints at the end."""
        counts = [
            f"{self.read} read",
            f"{self.created} created",
            f"{self.updated} updated",
            f"{self.unchanged} unchanged",
        ]
        if self.retires:
            counts.append(f"{self.inactive} now inactive")
        if self.replaces:
            counts.append(f"{self.removed} removed")
        counts += [f"{self.skipped} skipped", f"{self.bad} bad"]
        text = f"{self.source}: {self.changed} changed ({', '.join(counts)})"
        timing = [f"{self.seconds:.2f} s"] if self.seconds is not None else []
        return "; ".join([text, *self.notes, *timing]) + "."


def import_timed(run: Callable[[], ImportSummary]) -> ImportSummary:
    """Run an import and note how long it took, for the summary line (benchmarks read it)."""
    start = time.perf_counter()
    summary = run()
    summary.seconds = time.perf_counter() - start
    return summary


def summary_write(summary: ImportSummary, *, stdout: TextIO, stderr: TextIO) -> None:
    """Print the kept row errors, then the summary line, to a command's output wrappers."""
    for error in summary.errors:
        stderr.write(f"{summary.unit} {error.line}: {error.message}")
    if summary.errors_not_kept:
        stderr.write(f"… and {summary.errors_not_kept} more errors ({summary.bad} bad {summary.unit}s in all)")
    stdout.write(summary.line())
