"""Shared pieces of the file importers: a line-numbered CSV reader, row errors and the import summary."""

import csv
import io
import itertools
import os
import time
from collections.abc import Callable, Container, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TextIO, TypeVar

from tqdm import tqdm

T = TypeVar("T")
Progress = Callable[[int], object]

MAX_KEPT_ERRORS = 100


class HeaderError(ValueError):
    """The file's header is not the one this importer reads; nothing is imported."""


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


class _QuotedRecord:
    """Lines read one by one where a block holds quotes: a plain line is a record, a quoted one is gathered with
    the next until its quotes close. `add` gives (line number, fields) for a complete, kept record, else None."""

    def __init__(self):
        self.lines: list[str] = []  # the lines of a quoted record still open
        self.quotes = 0
        self.keeping = True

    def add(self, line: str, number: int, keep, rows: "CsvRows") -> tuple[int, list[str]] | None:
        if not self.lines:  # a record starts here
            if keep is not None:
                prefixes, width = keep
                self.keeping = line[:width] in prefixes or line.startswith('"')
                rows.passed_over += not self.keeping
            if '"' not in line:
                fields = line.rstrip("\r\n")
                return (number, fields.split(",") if fields else []) if self.keeping else None
        self.lines.append(line)
        self.quotes += line.count('"')
        if self.quotes % 2:
            return None  # a quoted field is still open
        lines, self.lines, self.quotes = self.lines, [], 0
        return (number, next(csv.reader(lines), [])) if self.keeping else None


class CsvRows:
    """A CSV file read as (line number, row) pairs with constant memory; reports bytes read to `progress`.

    The line number is the file's physical line where the row ends (the header is line 1).
    """

    BLOCK_CHARS = 1 << 20

    def __init__(self, path: str | os.PathLike, *, progress: Progress | None = None, encoding: str = "utf-8-sig"):
        self.path = Path(path)
        self.progress = progress
        self.encoding = encoding
        self.passed_over = 0  # records prefiltered() skipped without parsing

    def __enter__(self) -> "CsvRows":
        self._raw = open(self.path, "rb")  # noqa: SIM115 - closed in __exit__
        # Undecodable bytes become U+FFFD: one odd name must not stop a multi-GB import.
        self._text = io.TextIOWrapper(self._raw, encoding=self.encoding, errors="replace", newline="")
        self._reader = csv.reader(self._text)
        self.header = [name.strip() for name in next(self._reader, [])]
        if not self.header:
            self.close()
            raise HeaderError(f"{self.path.name} is empty: no header line.")
        return self

    def __exit__(self, *exc_info) -> None:
        self.close()

    def close(self) -> None:
        self._raw.close()

    def _report(self, reported: int) -> int:
        """Tell `progress` how many bytes were read since position `reported`; returns the new position."""
        position = self._raw.tell()
        self.progress(position - reported)
        return position

    def __iter__(self) -> Iterator[tuple[int, list[str]]]:
        return self._records(None)

    def prefiltered(self, prefixes: Container[str], width: int) -> Iterator[tuple[int, list[str]]]:
        """Like iterating, but only records whose first line starts with one of `prefixes` (each `width`
        characters long) or with a quote (a quoted first field is parsed to be sure); the others are passed
        over without being parsed and counted in `self.passed_over`.

        For files where most records are of no interest and their first field says so (a national file read
        for a few thousand providers).
        """
        return self._records((prefixes, width))

    def _records(self, keep: tuple[Container[str], int] | None) -> Iterator[tuple[int, list[str]]]:
        """(line number, fields) per record, as csv.reader reads them, at a fraction of its cost.

        The file is read in blocks of whole lines. A line without a quote is a whole record: it is split on its
        commas, and in a block with no quote at all that happens line by line without further bookkeeping. A
        record with a quote goes through the csv parser; its lines are gathered while a quoted field is open
        (odd quote count), so a field spanning lines stays one record.
        """
        number, progress, reported = self._reader.line_num, self.progress, 0
        quoted = _QuotedRecord()
        for block in self._blocks():
            if quoted.lines or '"' in block or block.count("\r") != block.count("\r\n"):
                for line in io.StringIO(block, newline=""):  # split as the file's lines are: at \r, \n or \r\n
                    number += 1
                    if record := quoted.add(line, number, keep, self):
                        yield record
            else:
                lines = block.split("\n")
                lines.pop()  # the block ends with a newline
                numbered = enumerate(lines, number + 1)
                number += len(lines)
                if keep is not None:  # no line here starts with a quote
                    prefixes, width = keep
                    numbered = [(i, line) for i, line in numbered if line[:width] in prefixes]
                    self.passed_over += len(lines) - len(numbered)
                for i, line in numbered:
                    fields = line.rstrip("\r")
                    yield i, fields.split(",") if fields else []
            if progress:
                reported = self._report(reported)
        if quoted.lines:
            raise csv.Error(f"line {number}: unexpected end of data inside a quoted field")

    def _blocks(self) -> Iterator[str]:
        """The rest of the file in blocks of whole lines (a last line without a newline is given one)."""
        rest = ""
        while chunk := self._text.read(self.BLOCK_CHARS):
            block = rest + chunk
            upto = len(block) - block.endswith("\r")  # a final \r may be the first half of a \r\n
            end = max(block.rfind("\n", 0, upto), block.rfind("\r", 0, upto)) + 1
            block, rest = block[:end], block[end:]
            if block:
                yield block
        if rest:
            yield rest + "\n"

    def require_exact_header(self, expected: Sequence[str]) -> None:
        # The header found is not echoed: a file without one starts with a data row, maybe private.
        if self.header != list(expected):
            raise HeaderError(
                f"{self.path.name}: the first line ({len(self.header)} columns) is not the header {','.join(expected)}"
            )

    def column_index(
        self, required: Sequence[str], *, layout: str = "", expected: Sequence[str] = ()
    ) -> dict[str, int]:
        """Positions of the named columns, wherever they are; HeaderError naming any that are missing and the
        header this importer expects (`layout` names the file, `expected` its published header if not `required`)."""
        positions = {name: i for i, name in enumerate(self.header)}
        missing = [name for name in required if name not in positions]
        if missing:
            shown = ", ".join(missing[:5]) + (f" and {len(missing) - 5} more" if len(missing) > 5 else "")
            expected = list(expected or required)
            header = ",".join(expected[:30]) + (",…" if len(expected) > 30 else "")
            kind = f" is not {layout}:" if layout else ":"
            raise HeaderError(f"{self.path.name}{kind} missing column(s) {shown}; the expected header is {header}")
        return {name: positions[name] for name in required}


def chunked(items: Iterable[T], size: int) -> Iterator[list[T]]:
    iterator = iter(items)
    while chunk := list(itertools.islice(iterator, size)):
        yield chunk


def progress_bar(*, total: int | None, stream: TextIO, unit: str = "B") -> tqdm:
    """The importers' progress bar on a command's stderr (bytes of the file by default)."""
    stream = getattr(stream, "_out", stream)  # Django's OutputWrapper would end every refresh with a newline
    return tqdm(total=total, unit=unit, unit_scale=unit == "B", file=stream, disable=None, leave=False)


def file_progress_bar(path: str | os.PathLike, *, stream: TextIO) -> tqdm:
    try:
        total = os.path.getsize(path)
    except OSError:
        total = None
    return progress_bar(total=total, stream=stream)


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
