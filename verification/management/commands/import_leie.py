from pathlib import Path

from django.core.management.base import BaseCommand

from verification.sources.leie import leie_import

from ._file_import import file_import_run


class Command(BaseCommand):
    help = "Import the OIG LEIE monthly full file (UPDATED.csv): add new exclusions, retire those no longer listed."

    def add_arguments(self, parser):
        parser.add_argument("path", type=Path, help="UPDATED.csv as downloaded from oig.hhs.gov")
        parser.add_argument(
            "--force", action="store_true", help="apply a file even if it would retire a large share of the list"
        )

    def handle(self, *args, path, force, **options):
        file_import_run(self, path, lambda progress: leie_import(path=path, progress=progress, force=force))
