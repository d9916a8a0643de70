from pathlib import Path

from django.core.management.base import BaseCommand

from verification.sources.leie import SUPPLEMENTS, leie_import

from ._file_import import file_import_run


class Command(BaseCommand):
    help = (
        "Import the OIG LEIE monthly full file (UPDATED.csv: add new exclusions, retire those no longer listed) "
        "or a monthly supplement (--supplement exclusions|reinstatements: adds, never retires)."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", type=Path, help="UPDATED.csv (or a supplement, e.g. 2410EXCL.csv) from oig.hhs.gov")
        parser.add_argument(
            "--supplement",
            choices=[str(kind) for kind in SUPPLEMENTS],
            help="the file is OIG's monthly supplement of new exclusions or of reinstatements",
        )
        parser.add_argument(
            "--force", action="store_true", help="apply a full file that would retire more than a fifth of the list"
        )

    def handle(self, *args, path, supplement, force, **options):
        file_import_run(
            self, path, lambda progress: leie_import(path=path, progress=progress, force=force, supplement=supplement)
        )
