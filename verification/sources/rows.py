"""Shared pieces of the file importers: a line-numbered CSV reader, row errors and the import summary."""

import csv
import io
import itertools
import os
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TextIO, TypeVar

from tqdm import tqdm

T = TypeVar("T")
Progress = Callable[[int], object]

MAX_KEPT_ERRORS = 100
_PROGRESS_EVERY = 8192  # rows between progress reports: cheap enough for multi-GB files


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
    """What an import did, in counts; at most MAX_KEPT_ERRORS row errors are kept, all are counted."""

    source: str
    read: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    skipped: int = 0
    error_count: int = 0
    errors: list[RowError] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    fatal: str = ""

    def error(self, line: int, message: str) -> None:
        self.error_count += 1
        if len(self.errors) < MAX_KEPT_ERRORS:
            self.errors.append(RowError(line, message))

    def line(self) -> str:
        """The one summary line a command prints at the end."""
        text = (
            f"{self.source}: {self.read} read, {self.created} created, {self.updated} updated, "
            f"{self.unchanged} unchanged, {self.skipped} skipped, {self.error_count} with errors"
        )
        return "; ".join([text, *self.notes]) + "."


class CsvRows:
    """A CSV file read as (line number, row) pairs with constant memory; reports bytes read to `progress`.

    The line number is the file's physical line where the row ends (the header is line 1).
    """

    def __init__(self, path: str | os.PathLike, *, progress: Progress | None = None, encoding: str = "utf-8-sig"):
        self.path = Path(path)
        self.progress = progress
        self.encoding = encoding

    def __enter__(self) -> "CsvRows":
        self._raw = open(self.path, "rb")  # noqa: SIM115 - closed in __exit__
        # Undecodable bytes become U+FFFD: one odd name must not stop a multi-GB import.
        text = io.TextIOWrapper(self._raw, encoding=self.encoding, errors="replace", newline="")
        self._reader = csv.reader(text)
        self.header = [name.strip() for name in next(self._reader, [])]
        if not self.header:
            self.close()
            raise HeaderError(f"{self.path.name} is empty: no header line.")
        return self

    def __exit__(self, *exc_info) -> None:
        self.close()

    def close(self) -> None:
        self._raw.close()

    def __iter__(self) -> Iterator[tuple[int, list[str]]]:
        reader, raw, progress = self._reader, self._raw, self.progress
        reported = 0
        try:
            for count, row in enumerate(reader, start=1):
                yield reader.line_num, row
                if progress and count % _PROGRESS_EVERY == 0:
                    position = raw.tell()
                    progress(position - reported)
                    reported = position
        except csv.Error as exc:
            raise csv.Error(f"line {reader.line_num}: {exc}") from exc
        if progress:
            progress(raw.tell() - reported)

    def require_exact_header(self, expected: Sequence[str]) -> None:
        # The header found is not echoed: a file without one starts with a data row, maybe private.
        if self.header != list(expected):
            raise HeaderError(
                f"{self.path.name}: the first line ({len(self.header)} columns) is not the header "
                f"{','.join(expected)}"
            )

    def column_index(self, required: Iterable[str]) -> dict[str, int]:
        """Positions of the named columns, wherever they are; HeaderError naming any that are missing."""
        positions = {name: i for i, name in enumerate(self.header)}
        missing = [name for name in required if name not in positions]
        if missing:
            raise HeaderError(f"{self.path.name}: missing column(s) {', '.join(missing)}")
        return {name: positions[name] for name in required}


def chunked(items: Iterable[T], size: int) -> Iterator[list[T]]:
    iterator = iter(items)
    while chunk := list(itertools.islice(iterator, size)):
        yield chunk


def progress_bar(*, total: int | None, stream: TextIO, unit: str = "B") -> tqdm:
    """The importers' progress bar on a command's stderr (bytes of the file by default)."""
    return tqdm(total=total, unit=unit, unit_scale=unit == "B", file=stream, disable=None, leave=False)


def file_progress_bar(path: str | os.PathLike, *, stream: TextIO) -> tqdm:
    try:
        total = os.path.getsize(path)
    except OSError:
        total = None
    return progress_bar(total=total, stream=stream)


def summary_write(summary: ImportSummary, *, stdout: TextIO, stderr: TextIO) -> int:
    """Print the kept row errors and the summary line; return the exit status (1 after a fatal error)."""
    if summary.fatal:
        stderr.write(f"{summary.source}: {summary.fatal}")
        return 1
    for error in summary.errors:
        stderr.write(str(error))
    if summary.error_count > len(summary.errors):
        stderr.write(f"… and {summary.error_count - len(summary.errors)} more row errors")
    stdout.write(summary.line())
    return 0
