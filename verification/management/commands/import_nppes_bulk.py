from pathlib import Path

from django.core.management.base import BaseCommand

from verification.sources.nppes_bulk import nppes_bulk_import

from ._file_import import file_import_run


class Command(BaseCommand):
    help = "Add or update spine surgeons from the NPPES monthly bulk file (npidata_pfile_….csv)."

    def add_arguments(self, parser):
        parser.add_argument("path", type=Path, help="npidata_pfile_YYYYMMDD-YYYYMMDD.csv from the NPPES download")

    def handle(self, *args, path, **options):
        file_import_run(self, path, lambda progress: nppes_bulk_import(path=path, progress=progress))
