"""What a reviewer sees beside a result: tables of the records a check judged, each check declaring its own."""

from collections.abc import Callable, Iterable
from dataclasses import dataclass


@dataclass
class Panel:
    title: str
    columns: list[str]
    rows: list[list]


def panel(title: str, records: Iterable, columns: list[str], row: Callable[[object], list]) -> Panel:
    return Panel(title, columns, [row(record) for record in records])


def licenses_panel(surgeon) -> Panel:
    """The surgeon's licenses with their serious actions: the sanctions and experience checks both read them."""
    return panel(
        "Licenses on file",
        surgeon.licenses.prefetch_related("actions"),
        ["State", "Number", "Status", "First issued", "Expires", "Serious actions"],
        lambda lic: [
            lic.state,
            lic.number,
            lic.get_status_display(),
            lic.first_issued,
            lic.expires,
            ", ".join(str(a.action_date) for a in lic.actions.all() if a.severity == "serious") or "—",
        ],
    )
