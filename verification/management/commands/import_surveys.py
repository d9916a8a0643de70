from pathlib import Path

from django.core.management.base import BaseCommand

from verification.sources.surveys import surveys_import

from ._file_import import file_import_run


class Command(BaseCommand):
    help = "Import patient-survey responses (a response id identifies each) and recompute satisfaction scores."

    def add_arguments(self, parser):
        parser.add_argument(
            "path", type=Path, help="the survey export CSV (response_id,npi,response_date,score,verified_patient)"
        )

    def handle(self, *args, path, **options):
        file_import_run(self, path, lambda progress: surveys_import(path=path, progress=progress))
