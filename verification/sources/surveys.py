"""Patient-survey CSV → SurveyResponse, then each affected surgeon's SatisfactionScore recomputed.

The export is `response_id,npi,response_date,score,verified_patient`: the survey system's response id identifies a
response, so a re-sent or partial export de-duplicates exactly (a response sent again with other values is a
correction: it is updated). The older export without response ids (`npi,response_date,score,verified_patient`)
is still read: there a response's key hashes its values and which occurrence of that identical answer it is
within the file, so two patients giving the same answer on the same day are both kept while a re-import adds
nothing. Counting occurrences needs one small entry per distinct answer in the file; everything else streams.
"""

import csv
import hashlib
import os
from collections import Counter
from collections.abc import Iterable
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.db import transaction
from django.db.models import Count, Max, Sum
from django.utils import timezone

from directory.models import SatisfactionScore, Surgeon, SurveyResponse

from .. import events
from .chunks import chunked
from .csv_rows import CsvRows, HeaderError
from .progress import Progress
from .summary import ImportSummary

SURVEY_HEADER = ("response_id", "npi", "response_date", "score", "verified_patient")
LEGACY_SURVEY_HEADER = SURVEY_HEADER[1:]  # exports before response ids: still read
MAX_RESPONSE_ID = 100
BOOLEANS = {"true": True, "1": True, "yes": True, "false": False, "0": False, "no": False}
SCORE_SOURCE = "Verified-patient survey"
WINDOW = timedelta(days=365)
CHUNK_SIZE = 5000
CENT = Decimal("0.01")


def _score(text: str) -> Decimal:
    try:
        value = Decimal(text)
    except InvalidOperation:
        raise ValueError(f"score {text!r} is not a number") from None
    if not value.is_finite() or not 0 <= value <= 10:
        raise ValueError(f"score {text!r} is not between 0 and 10")
    return value.quantize(CENT, ROUND_HALF_UP)


def _response(row: list[str], surgeon_ids: dict[str, int], today: date) -> tuple[int, date, Decimal, bool]:
    """(surgeon id, date, score, verified) from a row's last four fields, or ValueError saying what is wrong."""
    npi, day, score, verified = (value.strip() for value in row)
    if npi not in surgeon_ids:
        raise ValueError(f"NPI {npi!r} is not in the directory")
    try:
        responded_on = date.fromisoformat(day)
    except ValueError:
        raise ValueError(f"response_date {day!r} is not a YYYY-MM-DD date") from None
    if responded_on > today:
        raise ValueError(f"response_date {day} is in the future")
    if verified.lower() not in BOOLEANS:
        raise ValueError(f"verified_patient {verified!r} is not true/false, 1/0 or yes/no")
    return surgeon_ids[npi], responded_on, _score(score), BOOLEANS[verified.lower()]


def _response_key(row: list[str], answer: tuple[str, ...], occurrences: Counter | None) -> str:
    """The response id's hash; for a legacy export, the answer's hash with its occurrence in the file."""
    if occurrences is None:
        response_id = row[0].strip()
        if not response_id or len(response_id) > MAX_RESPONSE_ID:
            raise ValueError(f"response_id must be 1 to {MAX_RESPONSE_ID} characters")
        return hashlib.sha256(f"response_id|{response_id}".encode()).hexdigest()
    occurrences[answer] += 1
    return hashlib.sha256("|".join([*answer, str(occurrences[answer])]).encode()).hexdigest()


def _keyed(rows: CsvRows, summary: ImportSummary, today: date):
    """(response key, SurveyResponse) per valid row; invalid rows are reported with their line."""
    surgeon_ids = dict(Surgeon.objects.order_by().values_list("npi", "id"))  # unsorted: a dict needs no order
    width = len(rows.header)
    occurrences: Counter | None = Counter() if width == len(LEGACY_SURVEY_HEADER) else None
    seen: set[str] = set()
    for line, row in rows:
        summary.read += 1
        try:
            if len(row) != width:
                raise ValueError(f"expected {width} fields, found {len(row)}")
            surgeon_id, responded_on, score, verified = _response(row[-4:], surgeon_ids, today)
            answer = (row[-4].strip(), responded_on.isoformat(), str(score), "1" if verified else "0")
            key = _response_key(row, answer, occurrences)
        except ValueError as exc:
            summary.error(line, str(exc))
            continue
        if key in seen:
            summary.error(line, f"response_id {row[0].strip()!r} appears earlier in the file; row skipped")
            continue
        if occurrences is None:
            seen.add(key)
        yield (
            key,
            SurveyResponse(
                surgeon_id=surgeon_id,
                response_key=key,
                responded_on=responded_on,
                score=score,
                verified_patient=verified,
            ),
        )


CORRECTABLE = ("surgeon_id", "responded_on", "score", "verified_patient")


def _store(chunk: list[tuple[str, SurveyResponse]], summary: ImportSummary) -> set[int]:
    """Insert the chunk's new responses and correct changed ones; the surgeons whose responses changed."""
    stored = {r.response_key: r for r in SurveyResponse.objects.filter(response_key__in=[key for key, _ in chunk])}
    new, corrected, affected = [], [], set()
    for key, response in chunk:
        if (current := stored.get(key)) is None:
            new.append(response)
        elif any(getattr(current, name) != getattr(response, name) for name in CORRECTABLE):
            affected.add(current.surgeon_id)
            for name in CORRECTABLE:
                setattr(current, name, getattr(response, name))
            corrected.append(current)
    SurveyResponse.objects.bulk_create(new, batch_size=1000)
    SurveyResponse.objects.bulk_update(corrected, CORRECTABLE, batch_size=1000)
    summary.created += len(new)
    summary.updated += len(corrected)
    summary.unchanged += len(chunk) - len(new) - len(corrected)
    return affected | {response.surgeon_id for response in new} | {response.surgeon_id for response in corrected}


def _score_upsert(surgeon_id: int, *, start: date, end: date, score: Decimal, n: int) -> str:
    values = {"score": score, "responses": n, "verified_patients_only": True, "source": SCORE_SOURCE}
    current = SatisfactionScore.objects.filter(surgeon_id=surgeon_id, period_start=start, period_end=end).first()
    if current is None:
        SatisfactionScore.objects.create(surgeon_id=surgeon_id, period_start=start, period_end=end, **values)
        return "created"
    if all(getattr(current, name) == value for name, value in values.items()):
        return "unchanged"
    for name, value in values.items():
        setattr(current, name, value)
    current.save()
    return "updated"


def satisfaction_recompute(*, surgeon_ids: Iterable[int]) -> Counter:
    """Per surgeon: verified responses in the 365 days ending at their latest verified one (mean to 2 dp, n)."""
    verified = SurveyResponse.objects.filter(verified_patient=True)
    latest = verified.filter(surgeon_id__in=list(surgeon_ids)).values("surgeon_id").annotate(end=Max("responded_on"))
    outcomes: Counter = Counter()
    for row in latest:
        end = row["end"]
        start = end - WINDOW + timedelta(days=1)
        window = verified.filter(surgeon_id=row["surgeon_id"], responded_on__range=(start, end))
        totals = window.aggregate(total=Sum("score"), n=Count("id"))
        score = (Decimal(totals["total"]) / totals["n"]).quantize(CENT, ROUND_HALF_UP)
        outcomes[_score_upsert(row["surgeon_id"], start=start, end=end, score=score, n=totals["n"])] += 1
    return outcomes


def surveys_import(
    *, path: str | os.PathLike, progress: Progress | None = None, today: date | None = None
) -> ImportSummary:
    """Import one survey file in one transaction; counts are responses, the note counts scores."""
    summary = ImportSummary(source="Patient surveys")
    today = today or timezone.localdate()
    try:
        with CsvRows(path, progress=progress) as rows, transaction.atomic():
            if rows.header not in (list(SURVEY_HEADER), list(LEGACY_SURVEY_HEADER)):
                raise HeaderError(
                    f"{rows.path.name}: the first line is not the header {','.join(SURVEY_HEADER)} "
                    f"(nor the older {','.join(LEGACY_SURVEY_HEADER)})"
                )
            affected: set[int] = set()
            for chunk in chunked(_keyed(rows, summary, today), CHUNK_SIZE):
                affected |= _store(chunk, summary)
            scores = satisfaction_recompute(surgeon_ids=affected)
            if scores["created"] or scores["updated"]:  # a score changed: the satisfaction check may too
                events.surgeons_changed(surgeon_ids=affected, cause="patient survey import")
    except (HeaderError, OSError, csv.Error) as exc:
        return ImportSummary(source=summary.source, fatal=f"{exc}; nothing was imported")
    counts = ", ".join(f"{scores[outcome]} {outcome}" for outcome in ("created", "updated", "unchanged"))
    summary.notes.append(f"satisfaction scores: {counts}")
    return summary
