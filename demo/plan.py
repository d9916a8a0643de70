"""A surgeon being planned: rows by model, not yet written (a parent row stands in for its id)."""

from dataclasses import dataclass, field
from datetime import date

from directory.models import (
    CredentialStatus,
    EvidenceMethod,
)

Row = dict  # column values by field name; a parent's row stands in for its id until it is written


@dataclass
class CityInfo:
    row: Row
    zip3: str
    area: str

    @property
    def state(self) -> str:
        return self.row["state"]


@dataclass
class Planned:
    """One surgeon and every record made for them, not yet written."""

    surgeon: Row
    cities: list[CityInfo] = field(default_factory=list)
    states: list[str] = field(default_factory=list)  # of the practice cities, primary first
    defects: frozenset[str] = frozenset()
    years: int = 0  # in practice, whether or not a start date is on file
    rows: dict[type, list[Row]] = field(default_factory=dict)

    def add_city(self, info: CityInfo) -> None:
        self.cities.append(info)
        if info.state not in self.states:
            self.states.append(info.state)

    def add(self, model: type, row: Row) -> None:
        self.rows.setdefault(model, []).append(row)


def add_years(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def leie_date(day: date | None) -> str:
    return day.strftime("%Y%m%d") if day else "00000000"


def dea_number(prefix: str, six: str, *, valid: bool = True) -> str:
    d = [int(c) for c in six]
    check = (d[0] + d[2] + d[4] + 2 * (d[1] + d[3] + d[5])) % 10
    return f"{prefix}{six}{check if valid else (check + 1) % 10}"


def credential_row(surgeon: Row, source: str, obtained_on: date, **fields) -> Row:
    return {
        "surgeon": surgeon,
        "status": CredentialStatus.ACTIVE,
        "evidence_method": EvidenceMethod.ATTESTED_DOCUMENT,
        "evidence_source": source,
        "evidence_obtained_on": obtained_on,
        **fields,
    }
