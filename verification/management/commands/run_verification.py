import time

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from tqdm import tqdm

from config.celery import app
from directory.models import Surgeon
from verification import publication, services
from verification.checks.types import Outcome
from verification.models import VerificationBatch, VerificationRun

Status = VerificationRun.Status


class Command(BaseCommand):
    help = "Verify surgeons against every criterion: annual, sanctions re-screen, expiry sweep or one surgeon."

    def add_arguments(self, parser):
        parser.add_argument("--kind", choices=["annual", "sanctions", "expiry"], default="annual")
        parser.add_argument("--surgeon", metavar="NPI", help="verify one surgeon now (a manual run)")
        parser.add_argument("--period", help="period key; a scheduled kind runs once per period (default: today's)")
        parser.add_argument("--sync", action="store_true", help="run in this process instead of through Celery")

    def handle(self, *args, kind, surgeon, period, sync, **options):
        surgeon_ids = None
        if surgeon:
            surgeon_ids = list(Surgeon.objects.filter(npi=surgeon).values_list("id", flat=True))
            if not surgeon_ids:
                raise CommandError(f"No surgeon with NPI {surgeon}.")
            kind = VerificationRun.Kind.MANUAL
        eager = app.conf.task_always_eager
        app.conf.task_always_eager = eager or sync  # --sync: publication and events run here too
        try:
            run, created = services.run_start(
                kind=kind, as_of=timezone.localdate(), period_key=period, surgeon_ids=surgeon_ids, enqueue=not sync
            )
            if not created:
                self.stdout.write(f"A {kind} run for {run.period_key} already exists (run #{run.id}); use --period.")
            elif sync:
                self._run_here(run)
            else:
                self._follow(run)
        finally:
            app.conf.task_always_eager = eager
        run.refresh_from_db()
        self._summary(run)

    def _run_here(self, run):
        batches = list(VerificationBatch.objects.filter(run=run).values_list("id", "surgeon_ids"))
        with tqdm(total=run.surgeons_total, unit="surgeon", file=self.stderr, disable=None) as bar:
            for batch_id, surgeon_ids in batches:
                try:
                    services.batch_verify(batch_id=batch_id)
                except Exception as error:  # noqa: BLE001 - recorded on the run, which the summary then reports
                    services.batch_failed(batch_id=batch_id, error=error)
                    break
                bar.update(len(surgeon_ids))
        run.refresh_from_db(fields=["publication_done_at"])
        if run.publication_done_at is None:  # published here even inside a caller's transaction
            publication.after_run(run_id=run.id)

    def _follow(self, run):
        """Progress of the workers' batches, then wait for the publication that ends the run."""
        with tqdm(total=run.batches_total, unit="batch", file=self.stderr, disable=None) as bar:
            while run.status == Status.RUNNING:
                time.sleep(0.5)
                run.refresh_from_db(fields=["batches_done", "status"])
                bar.update(run.batches_done - bar.n)
        self.stderr.write("Publishing lists…")
        while run.publication_done_at is None:
            time.sleep(0.5)
            run.refresh_from_db(fields=["publication_done_at"])

    def _summary(self, run):
        outcomes = list(Outcome.values)
        self.stdout.write(f"{'check':<22}" + "".join(f"{o:>15}" for o in outcomes))
        for check, counts in run.counts.items():
            self.stdout.write(f"{check:<22}" + "".join(f"{counts.get(o, 0):>15}" for o in outcomes))
        line = (
            f"Run #{run.id} ({run.get_kind_display()}, {run.period_key}) {run.status}: "
            f"{run.surgeons_total} surgeons, {run.batches_done}/{run.batches_total} batches."
        )
        if run.note:
            line += f" {run.note}"
        if run.status == Status.FAILED or run.publication_gated:
            raise CommandError(line)
        self.stdout.write(line)
