from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from verification.sources.nppes_deactivations import nppes_deactivations_import
from verification.sources.progress import progress_bar
from verification.sources.summary import import_timed, summary_write


class Command(BaseCommand):
    help = (
        "Apply CMS's monthly NPPES Deactivated NPI Report: surgeons whose NPI it lists are marked deactivated (out "
        "of the public directory), those it no longer lists are reactivated."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", type=Path, help="NPPES Deactivated NPI Report YYYYMMDD.xlsx (or the same as CSV)")

    def handle(self, *args, path, **options):
        with progress_bar(total=None, stream=self.stderr, unit="row") as bar:
            summary = import_timed(lambda: nppes_deactivations_import(path=path, progress=bar.update))
        if summary.fatal:
            raise CommandError(f"{summary.source}: {summary.fatal}")
        summary_write(summary, stdout=self.stdout, stderr=self.stderr)
