from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from verification.sources.cms_procedures import FIRST_DATA_YEAR, cms_procedures_import

from ._file_import import file_import_run


class Command(BaseCommand):
    help = "Import spine procedure counts from the CMS Physician & Other Practitioners by Provider and Service file."

    def add_arguments(self, parser):
        parser.add_argument("path", type=Path, help="the by-provider-and-service CSV for one data year")
        parser.add_argument("--year", type=int, required=True, help="the data year the file covers, e.g. 2024")

    def handle(self, *args, path, year, **options):
        if not FIRST_DATA_YEAR <= year <= timezone.localdate().year:
            raise CommandError(f"--year must be a data year from {FIRST_DATA_YEAR} to this year, not {year}.")
        file_import_run(self, path, lambda progress: cms_procedures_import(path=path, year=year, progress=progress))
