from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from verification.sources.leie import leie_import
from verification.sources.rows import file_progress_bar, import_timed, summary_write


class Command(BaseCommand):
    help = "Import the OIG LEIE monthly full file (UPDATED.csv): add new exclusions, retire those no longer listed."

    def add_arguments(self, parser):
        parser.add_argument("path", type=Path, help="UPDATED.csv as downloaded from oig.hhs.gov")
        parser.add_argument(
            "--force", action="store_true", help="apply a file even if it would retire a large share of the list"
        )

    def handle(self, *args, path, force, **options):
        with file_progress_bar(path, stream=self.stderr) as bar:
            summary = import_timed(lambda: leie_import(path=path, progress=bar.update, force=force))
        if summary.fatal:
            raise CommandError(f"{summary.source}: {summary.fatal}")
        summary_write(summary, stdout=self.stdout, stderr=self.stderr)
