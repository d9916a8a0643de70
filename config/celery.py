"""The Celery app (tasks are autodiscovered from installed apps) and the one way tasks are handed to the broker."""

import logging
import os

from celery import Celery
from kombu.exceptions import OperationalError

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

app = Celery("spine_directory")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

logger = logging.getLogger(__name__)


def send(task, *args) -> bool:
    """Hand a task to the broker; False (logged) when the broker cannot take it.

    Every hand-off is backed by a row that records what is still to do (a batch, a finished run, an event, a
    consultation request, a webhook delivery), and a sweeper sends again whatever the broker never took: a
    broker outage delays work, it never loses it, and the caller (often a web request) never fails on it.
    """
    try:
        task.apply_async(args=args)
    except (OperationalError, *app.connection_for_write().connection_errors) as error:
        logger.warning("broker unavailable, %s%s left for the sweeper: %s", task.name, args, type(error).__name__)
        return False
    return True
