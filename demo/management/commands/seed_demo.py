"""`manage.py seed_demo`: replace the directory with deterministic demo data and write a demo LEIE file."""

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from demo.seed import demo_data_seed
from directory.models import Surgeon

DEFAULT_LEIE_OUT = "var/demo/UPDATED.csv"
DEFAULT_FILES_OUT = "var/demo"


class Command(BaseCommand):
    help = (
        "Seed an empty directory with deterministic demo data (about 60% would pass every check) and write a demo "
        "OIG LEIE file that matches some of them and the demo's other source files (Doctors and Clinicians, Medicare "
        "by provider and service, NPPES deactivations). A directory with surgeons is kept unless --replace is given."
    )

    def add_arguments(self, parser):
        parser.add_argument("--surgeons", type=int, default=400, help="how many surgeons (default 400)")
        parser.add_argument("--cities", type=int, default=14, help="how many cities, Texas first (default 14)")
        parser.add_argument("--seed", type=int, default=7, help="the same seed always gives the same data")
        parser.add_argument(
            "--leie-out", default=DEFAULT_LEIE_OUT, help=f'demo LEIE file (default {DEFAULT_LEIE_OUT}; "" for none)'
        )
        parser.add_argument(
            "--files-out",
            default=DEFAULT_FILES_OUT,
            help=f'folder for the other demo source files (default {DEFAULT_FILES_OUT}; "" for none)',
        )
        existing = parser.add_mutually_exclusive_group()
        existing.add_argument(
            "--replace",
            action="store_true",
            help="wipe the directory first: surgeons, lists, runs, reviewer decisions, consultation requests",
        )
        existing.add_argument("--if-empty", action="store_true", help="do nothing (and succeed) if surgeons exist")

    def handle(self, *args, surgeons, cities, seed, leie_out, files_out, replace, if_empty, **options):
        existing = Surgeon.objects.count()
        if existing and not replace:
            if if_empty:
                self.stdout.write(f"Kept the directory as it is ({existing:,} surgeons); --replace starts over.")
                return
            raise CommandError(
                f"The directory already has {existing:,} surgeons. --replace wipes them with everything entered "
                "since (reviewer decisions, published lists, consultation requests); --if-empty keeps them."
            )
        if surgeons < 1:
            raise CommandError(f"--surgeons must be at least 1 (got {surgeons}).")
        if cities < 1:
            raise CommandError(f"--cities must be at least 1 (got {cities}).")
        stream = getattr(self.stderr, "_out", self.stderr)  # OutputWrapper would end each refresh with a newline
        with tqdm(total=surgeons, unit="surgeon", file=stream, disable=None, leave=False) as bar:
            try:
                summary = demo_data_seed(
                    surgeons=surgeons, cities=cities, seed=seed, progress=bar.update, leie_path=leie_out or None,
                    files_dir=files_out or None,
                )  # fmt: skip
            except ValueError as exc:
                raise CommandError(str(exc)) from exc
        self.stdout.write(summary.line())
