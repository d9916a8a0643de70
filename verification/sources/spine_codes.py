"""The spine operations we count (the committed table spine_cpt_codes.csv) and which codes are add-ons.

An add-on code (global period ZZZ in the CMS Physician Fee Schedule Relative Value file) is billed with a primary
code in the same operation: counting it would count one operation twice. Experience and the spine scope count
primary codes only; add-on counts are kept for display.
"""

import csv
from dataclasses import dataclass
from pathlib import Path

TABLE = Path(__file__).with_name("spine_cpt_codes.csv")
ADD_ON_GLOBAL_PERIOD = "ZZZ"


@dataclass(frozen=True)
class SpineCode:
    code: str
    glob_days: str
    add_on: bool
    category: str


def _table() -> dict[str, SpineCode]:
    with TABLE.open(newline="", encoding="utf-8") as handle:
        lines = (line for line in handle if not line.startswith("#"))
        return {
            row["cpt_code"]: SpineCode(row["cpt_code"], row["glob_days"], row["add_on"] == "yes", row["category"])
            for row in csv.DictReader(lines)
        }


SPINE_CODES: dict[str, SpineCode] = _table()
PRIMARY_CODES = frozenset(code for code, entry in SPINE_CODES.items() if not entry.add_on)
ADD_ON_CODES = frozenset(code for code, entry in SPINE_CODES.items() if entry.add_on)
