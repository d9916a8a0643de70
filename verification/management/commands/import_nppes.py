from django.core.management.base import BaseCommand, CommandError

from verification.sources.http import HostNotAllowed, SourceUnavailable
from verification.sources.nppes import NppesQueryError, nppes_import
from verification.sources.progress import progress_bar
from verification.sources.summary import import_timed, summary_write


class Command(BaseCommand):
    help = "Add or update spine surgeons found in the NPPES NPI Registry for a state (and city)."

    def add_arguments(self, parser):
        parser.add_argument("--state", required=True, type=str.upper, help="two-letter state code, e.g. TX")
        parser.add_argument("--city", default="", help="city name, e.g. Houston")
        parser.add_argument("--taxonomy", default="", help="a taxonomy description (default: orthopaedic and neuro)")
        parser.add_argument("--limit", type=int, help="read at most this many results")

    def handle(self, *args, state, city, taxonomy, limit, **options):
        if len(state) != 2 or not state.isalpha():
            raise CommandError(f"--state must be a two-letter code, not {state!r}.")
        if limit is not None and limit < 1:
            raise CommandError("--limit must be at least 1.")
        with progress_bar(total=limit, stream=self.stderr, unit="result") as bar:
            try:
                summary = import_timed(
                    lambda: nppes_import(state=state, city=city, taxonomy=taxonomy, limit=limit, progress=bar.update)
                )
            except SourceUnavailable as exc:
                raise CommandError(f"NPPES: {exc}. Nothing was changed; try again later.") from exc
            except NppesQueryError as exc:
                raise CommandError(f"{exc}. Nothing was changed.") from exc
            except HostNotAllowed as exc:
                raise CommandError(
                    f"NPPES: {exc} Add the host to SOURCE_HOST_ALLOWLIST to allow it. Nothing was changed."
                ) from exc
        summary_write(summary, stdout=self.stdout, stderr=self.stderr)
