from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from directory.models import City
from verification.models import VerificationRun
from verification.publication import rankings_publish


class Command(BaseCommand):
    help = "Publish each city's top-ten list through the gates (source outage, large change, eligibility)."

    def add_arguments(self, parser):
        parser.add_argument("--city", metavar="SLUG", help="only this city")
        parser.add_argument("--run", type=int, metavar="ID", help="the verification run to publish (gates use it)")
        parser.add_argument("--user", metavar="USERNAME", help="the operator account recorded on what is published")

    def handle(self, *args, city, run, user, **options):
        cities = list(City.objects.filter(slug=city) if city else City.objects.order_by("id"))
        if city and not cities:
            raise CommandError(f"No city with slug {city!r}.")
        run_obj = VerificationRun.objects.filter(id=run).first() if run is not None else None
        if run is not None and run_obj is None:
            raise CommandError(f"No verification run #{run}.")
        operator = get_user_model().objects.filter(username=user).first() if user else None
        if user and operator is None:
            raise CommandError(f"No user {user!r}.")
        with tqdm(total=len(cities), unit="city", file=self.stderr, disable=None) as bar:
            summary = rankings_publish(run=run_obj, cities=cities, user=operator, progress=bar.update)
        self.stdout.write(
            f"Published {len(summary.published)} lists, {len(summary.awaiting_approval)} await approval, "
            f"{len(summary.unchanged)} unchanged, "
            f"{len(summary.empty)} cities with no eligible surgeon."
        )
        if summary.blocked_reason:
            raise CommandError(f"Lists held back: {summary.blocked_reason}")
