from django.core.management.base import BaseCommand, CommandError

from verification.audit import listings_audit


class Command(BaseCommand):
    help = "Recompute every listed surgeon's eligibility independently; exit non-zero on any disagreement."

    def handle(self, *args, **options):
        report = listings_audit()
        for finding in report.findings:
            self.stdout.write(f"FINDING {finding}")
        for held in report.held:
            self.stdout.write(f"held    {held}")
        summary = (
            f"Audited {report.listed_surgeons} listed surgeons in {report.cities} cities: "
            f"{len(report.findings)} findings, {len(report.held)} kept while a source is silent."
        )
        if report.findings:
            raise CommandError(summary)
        self.stdout.write(summary)
