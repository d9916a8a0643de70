from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from verification.sources.cms_procedures import FIRST_DATA_YEAR, cms_procedures_import
from verification.sources.rows import file_progress_bar, import_timed, summary_write


class Command(BaseCommand):
    help = "Import spine procedure counts from the CMS Physician & Other Practitioners by Provider and Service file."

    def add_arguments(self, parser):
        parser.add_argument("path", type=Path, help="the by-provider-and-service CSV for one data year")
        parser.add_argument("--year", type=int, required=True, help="the data year the file covers, e.g. 2024")

    def handle(self, *args, path, year, **options):
        if not FIRST_DATA_YEAR <= year <= timezone.localdate().year:
            raise CommandError(f"--year must be a data year from {FIRST_DATA_YEAR} to this year, not {year}.")
        with file_progress_bar(path, stream=self.stderr) as bar:
            summary = import_timed(lambda: cms_procedures_import(path=path, year=year, progress=bar.update))
        if summary.fatal:
            raise CommandError(f"{summary.source}: {summary.fatal}")
        summary_write(summary, stdout=self.stdout, stderr=self.stderr)
