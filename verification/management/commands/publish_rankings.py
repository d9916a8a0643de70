from django.core.management.base import BaseCommand, CommandError

from directory.models import City
from verification.models import VerificationRun
from verification.publication import rankings_publish


class Command(BaseCommand):
    help = "Publish each city's top-ten list through the gates (outage, large change, eligibility)."

    def add_arguments(self, parser):
        parser.add_argument("--city", metavar="SLUG", help="only this city")
        parser.add_argument("--run", type=int, metavar="ID", help="the verification run to publish (gates use it)")

    def handle(self, *args, city, run, **options):
        cities = None
        if city:
            cities = list(City.objects.filter(slug=city))
            if not cities:
                raise CommandError(f"No city with slug {city!r}.")
        run_obj = None
        if run is not None:
            run_obj = VerificationRun.objects.filter(id=run).first()
            if run_obj is None:
                raise CommandError(f"No verification run #{run}.")
        summary = rankings_publish(run=run_obj, cities=cities)
        if summary.blocked_reason:
            raise CommandError(f"Nothing published: {summary.blocked_reason}")
        self.stdout.write(
            f"Published {len(summary.published)} lists, {len(summary.awaiting_approval)} await approval, "
            f"{len(summary.unchanged)} unchanged, {len(summary.empty)} cities with no eligible surgeon."
        )
