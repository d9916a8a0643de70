from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from verification.sources.nppes_bulk import nppes_bulk_import
from verification.sources.rows import file_progress_bar, import_timed, summary_write


class Command(BaseCommand):
    help = "Add or update spine surgeons from the NPPES monthly bulk file (npidata_pfile_….csv)."

    def add_arguments(self, parser):
        parser.add_argument("path", type=Path, help="npidata_pfile_YYYYMMDD-YYYYMMDD.csv from the NPPES download")

    def handle(self, *args, path, **options):
        with file_progress_bar(path, stream=self.stderr) as bar:
            summary = import_timed(lambda: nppes_bulk_import(path=path, progress=bar.update))
        if summary.fatal:
            raise CommandError(f"{summary.source}: {summary.fatal}")
        summary_write(summary, stdout=self.stdout, stderr=self.stderr)
