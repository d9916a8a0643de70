"""The beat schedules of the verification sweepers, created by a data migration and editable in admin."""

from django.conf import settings

TASK = "verification.tasks.run_scheduled"


def schedules() -> list[dict]:
    month, day = settings.ANNUAL_VERIFICATION_DATE.split("-")
    return [
        {
            "name": "Annual full verification",
            "kind": "annual",
            "crontab": {"minute": "0", "hour": "2", "day_of_month": str(int(day)), "month_of_year": str(int(month))},
        },
        {
            "name": "Monthly sanctions re-screen",
            "kind": "sanctions",
            "crontab": {"minute": "0", "hour": "3", "day_of_month": "1", "month_of_year": "*"},
        },
        {
            "name": "Daily expiry sweep",
            "kind": "expiry",
            "crontab": {"minute": "0", "hour": "4", "day_of_month": "*", "month_of_year": "*"},
        },
    ]


def schedules_install(crontab_model, periodic_task_model) -> None:
    """Create or update the sweepers' periodic tasks (idempotent)."""
    for entry in schedules():
        crontab, _ = crontab_model.objects.get_or_create(day_of_week="*", timezone="UTC", **entry["crontab"])
        periodic_task_model.objects.update_or_create(
            name=entry["name"],
            defaults={"task": TASK, "crontab": crontab, "args": f'["{entry["kind"]}"]', "enabled": True},
        )
