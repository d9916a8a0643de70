"""Progress of an import: the callback importers report to, and the bar a command draws with it."""

import os
from collections.abc import Callable
from typing import TextIO

from tqdm import tqdm

Progress = Callable[[int], object]


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
