from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from verification.sources.rows import file_progress_bar, import_timed, summary_write
from verification.sources.surveys import surveys_import


class Command(BaseCommand):
    help = "Import patient-survey responses (npi,response_date,score,verified_patient) and recompute scores."

    def add_arguments(self, parser):
        parser.add_argument("path", type=Path, help="the survey export CSV")

    def handle(self, *args, path, **options):
        with file_progress_bar(path, stream=self.stderr) as bar:
            summary = import_timed(lambda: surveys_import(path=path, progress=bar.update))
        if summary.fatal:
            raise CommandError(f"{summary.source}: {summary.fatal}")
        summary_write(summary, stdout=self.stdout, stderr=self.stderr)
