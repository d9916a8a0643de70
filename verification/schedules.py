"""The beat schedules of the verification sweepers, created by data migrations and editable in admin."""

from django.conf import settings

RUN_TASK = "verification.tasks.run_scheduled"


def schedules() -> list[dict]:
    month, day = settings.ANNUAL_VERIFICATION_DATE.split("-")
    every_day = {"day_of_month": "*", "month_of_year": "*"}
    return [
        {
            "name": "Annual full verification",
            "task": RUN_TASK,
            "args": '["annual"]',
            "crontab": {"minute": "0", "hour": "2", "day_of_month": str(int(day)), "month_of_year": str(int(month))},
        },
        {
            "name": "Monthly sanctions re-screen",
            "task": RUN_TASK,
            "args": '["sanctions"]',
            "crontab": {"minute": "0", "hour": "3", "day_of_month": "1", "month_of_year": "*"},
        },
        {
            # Just after midnight: evidence that lapsed at midnight is re-checked, and the lists follow.
            "name": "Daily expiry sweep",
            "task": RUN_TASK,
            "args": '["expiry"]',
            "crontab": {"minute": "5", "hour": "0", **every_day},
        },
        {
            "name": "Verification sweeper (lost batches, publications, events; lapsed lists)",
            "task": "verification.tasks.sweep",
            "args": "[]",
            "crontab": {"minute": "*", "hour": "*", **every_day},
        },
        {
            "name": "Daily listing audit",
            "task": "verification.tasks.audit_listings",
            "args": "[]",
            "crontab": {"minute": "30", "hour": "1", **every_day},
        },
    ]


def schedules_install(crontab_model, periodic_task_model) -> None:
    """Create or update the sweepers' periodic tasks (idempotent)."""
    for entry in schedules():
        crontab, _ = crontab_model.objects.get_or_create(day_of_week="*", timezone="UTC", **entry["crontab"])
        periodic_task_model.objects.update_or_create(
            name=entry["name"],
            defaults={"task": entry["task"], "crontab": crontab, "args": entry["args"], "enabled": True},
        )
