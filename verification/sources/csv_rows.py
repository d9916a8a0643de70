"""The importers' CSV reader: (line number, fields) per record with constant memory, at a fraction of csv's cost."""

import csv
import io
import os
from collections.abc import Container, Iterator, Sequence
from pathlib import Path

from .progress import Progress


class HeaderError(ValueError):
    """The file's header is not the one this importer reads; nothing is imported."""


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
