"""What every file-import command shares: a progress bar over the file, the summary line, a clear failure."""

from collections.abc import Callable
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from verification.sources.progress import Progress, file_progress_bar
from verification.sources.summary import ImportSummary, import_timed, summary_write


def file_import_run(command: BaseCommand, path: Path, importer: Callable[[Progress], ImportSummary]) -> None:
    with file_progress_bar(path, stream=command.stderr) as bar:
        summary = import_timed(lambda: importer(bar.update))
    if summary.fatal:
        raise CommandError(f"{summary.source}: {summary.fatal}")
    summary_write(summary, stdout=command.stdout, stderr=command.stderr)
