"""Published lists rendered once: each snapshot's page (per language) and API body, stored as compressed bytes.

Rendering a list page costs tens of milliseconds of template work (ten cards, seventy badge pop-outs, each with
translated labels and dates). A snapshot never changes, so that work is done once, by the worker that publishes
it, and stored beside the snapshot in the database: a cache flush or a restart costs readers one query, not a
render. A reader who arrives before the render (or after it was lost) renders and stores it once.
"""

import gzip
import hashlib
import logging
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime

import brotli
from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.db.models import FilteredRelation, Q
from django.http import Http404, HttpResponse
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.cache import get_conditional_response, patch_vary_headers
from django.utils.http import http_date

from directory.i18n import language_alternates
from directory.models import City

from . import selectors
from .models import RankingEntry, RankingSnapshot, RenderedList
from .selectors import Pointer, pointer_cache_key
from .sources.chunks import chunked

logger = logging.getLogger(__name__)

ENCODINGS = ("br", "gzip")  # in order of preference; "identity" otherwise
PARTS = (*ENCODINGS, "identity", "validators")  # what is cached of a render: each encoding, the validators alone
TOP_TEN = "json"  # the partner API's body, registered by the api app
RENDER_BATCH = 10  # lists rendered and stored together


@dataclass(frozen=True)
class Variant:
    name: str
    content_type: str
    render: Callable[[RankingSnapshot, list[RankingEntry]], bytes]


VARIANTS: dict[str, Variant] = {}


def variant_register(name: str, content_type: str, render: Callable) -> None:
    """Another app adds its own rendering of a list (the partner API its JSON body)."""
    VARIANTS[name] = Variant(name, content_type, render)


def page_variant(language: str) -> str:
    return f"html-{language}"


def _page_renderer(language: str) -> Callable:
    def render(snapshot, entries) -> bytes:
        with translation.override(language):
            path = reverse("verification:city", args=[snapshot.city.slug])
            context = {
                "city": snapshot.city,
                "snapshot": snapshot,
                "entries": entries,
                "list_size": settings.RANKING_LIST_SIZE,
                "language_alternates": language_alternates(path),
            }
            # Rendered without a request: the page holds nothing user-specific (no CSRF token).
            return render_to_string("verification/city_list.html", context).encode()

    return render


for _language, _ in settings.LANGUAGES:
    variant_register(page_variant(_language), "text/html; charset=utf-8", _page_renderer(_language))


@dataclass(frozen=True)
class Body:
    etag: str
    last_modified: datetime | None
    content: bytes


def _row(snapshot: RankingSnapshot, variant: Variant, content: bytes, now: datetime) -> RenderedList:
    digest = hashlib.sha256(content).hexdigest()[:12]
    return RenderedList(
        snapshot_id=snapshot.id,
        variant=variant.name,
        etag=f'W/"snapshot-{snapshot.id}-{digest}"',
        identity=content,
        gzip=gzip.compress(content, compresslevel=9, mtime=0),
        br=brotli.compress(content, quality=5),
        rendered_at=now,
    )


def snapshots_render(snapshot_ids: list[int]) -> int:
    """Render every variant of these snapshots and store them (replacing older renders); returns the count.
    A few lists at a time: a publication chunk's bodies all held at once were the worker's largest allocation."""
    stored = 0
    for some in chunked(snapshot_ids, RENDER_BATCH):
        now = timezone.now()
        rows, slugs = [], set()
        for snapshot, entries in selectors.snapshots_with_entries(snapshot_ids=some):
            rows += [_row(snapshot, variant, variant.render(snapshot, entries), now) for variant in VARIANTS.values()]
            slugs.add(snapshot.city.slug)
        RenderedList.objects.bulk_create(
            rows,
            update_conflicts=True,
            unique_fields=["snapshot", "variant"],
            update_fields=["etag", "identity", "gzip", "br", "rendered_at"],
        )
        _cache_forget(some, slugs=slugs)
        stored += len(rows)
    return stored


def renders_retire(snapshot_ids: list[int]) -> None:
    """Drop renders that no longer say the truth (a superseded list, a changed card), inside the caller's
    transaction; the cached copies go when it commits. The next reader renders the list again."""
    if snapshot_ids:
        RenderedList.objects.filter(snapshot_id__in=snapshot_ids).delete()
        transaction.on_commit(lambda: _cache_forget(snapshot_ids), robust=True)


def published_renders_refresh(*, surgeon_ids: list[int]) -> None:
    """The current lists that show these surgeons are rendered again: what their cards show changed."""
    listed = RankingEntry.objects.filter(
        surgeon_id__in=surgeon_ids, snapshot__status=RankingSnapshot.Status.PUBLISHED
    ).values_list("snapshot_id", flat=True)
    snapshot_ids = sorted(set(listed))
    if snapshot_ids:
        renders_retire(snapshot_ids)
        transaction.on_commit(lambda: renders_send(snapshot_ids), robust=True)


def renders_send(snapshot_ids: list[int]) -> None:
    """Render in a worker; if the broker cannot take it, readers render on their first visit (nothing is lost)."""
    from . import tasks  # tasks import this module

    tasks.snapshots_render_send(snapshot_ids)


def _cache_forget(snapshot_ids: list[int], *, slugs: set[str] | None = None) -> None:
    """Cached renders of these snapshots go, and the cached current lists of their cities."""
    if slugs is None:
        slugs = set(RankingSnapshot.objects.filter(id__in=snapshot_ids).values_list("city__slug", flat=True))
    keys = [_cache_key(i, v, part) for i in snapshot_ids for v in VARIANTS for part in PARTS]
    cache.delete_many([*keys, *_front_keys(slugs)])


def city_caches_forget(*, slugs: list[str]) -> None:
    """A city's pointer moved (or its list's validity did): its cached pointer and current list go."""
    cache.delete_many([*map(pointer_cache_key, slugs), *_front_keys(slugs)])


def _cache_key(snapshot_id: int, variant: str, encoding: str) -> str:
    return f"rendered:{snapshot_id}:{variant}:{encoding}"


def _front_key(slug: str, variant: str, part: str) -> str:
    return f"rendered-current:{slug}:{variant}:{part}"


def _front_keys(slugs) -> list[str]:
    return [_front_key(slug, variant, part) for slug in slugs for variant in VARIANTS for part in PARTS]


def rendered_body(snapshot_id: int, variant: str, encoding: str) -> Body:
    """The stored bytes: from the cache, else the database, else rendered now and stored."""
    if variant not in VARIANTS:
        raise ValueError(f"No rendering called {variant!r}")
    key = _cache_key(snapshot_id, variant, encoding)
    body = cache.get(key)
    if body is None:
        row = (
            RenderedList.objects.filter(snapshot_id=snapshot_id, variant=variant)
            .values_list("etag", "snapshot__published_at", encoding)
            .first()
        )
        if row is None:
            if not snapshots_render([snapshot_id]):  # a list deleted since its pointer was cached (a demo reseed)
                raise Http404("No such list.")
            return rendered_body(snapshot_id, variant, encoding)
        body = Body(row[0], row[1], bytes(row[2]))
        cache.set_many(
            {key: body, _cache_key(snapshot_id, variant, "validators"): replace(body, content=b"")},
            settings.CACHE_TTL_SECONDS,
        )
    return body


def _validators(snapshot_id: int, variant: str) -> Body | None:
    """The ETag and date alone (no bytes), so a revalidation that ends in 304 never fetches a page."""
    return cache.get(_cache_key(snapshot_id, variant, "validators"))


def kept_bodies(snapshot_id: int):
    """(variant, "stored" or "cached", bytes) of every render kept of this snapshot, for the listing audit."""
    stored = RenderedList.objects.filter(snapshot_id=snapshot_id).values_list("variant", "identity")
    for variant, content in stored:
        yield variant, "stored", bytes(content)
    for variant in VARIANTS:
        cached = cache.get(_cache_key(snapshot_id, variant, "identity"))
        if cached is not None:
            yield variant, "cached", cached.content


def current_cached(slug: str):
    """(variant, pointer, bytes or b"" for validators) of every cached current list of this city, for the audit."""
    for variant in VARIANTS:
        for part in ("identity", "validators"):
            if (current := cache.get(_front_key(slug, variant, part))) is not None:
                yield variant, current.pointer, current.body.content


def _accepted(part: str) -> str:
    """The coding an Accept-Encoding item names, or "" when it refuses it (q=0)."""
    coding, _, params = part.partition(";")
    quality = params.strip().removeprefix("q=")
    try:
        refused = params.strip().startswith("q=") and float(quality) == 0
    except ValueError:
        refused = False
    return "" if refused else coding.strip().lower()


def accepted_encoding(request) -> str:
    accepted = {_accepted(part) for part in request.headers.get("Accept-Encoding", "").split(",")}
    return next((encoding for encoding in ENCODINGS if encoding in accepted), "identity")


@dataclass(frozen=True)
class Current:
    """A city's current list as one cache entry: the pointer it was found through and its body (or validators)."""

    pointer: Pointer
    body: Body


def current_list_response(
    request, *, slug: str, variant: str, pointer_fresh: Callable[..., Pointer]
) -> HttpResponse | None:
    """The city's current list, or None when it has none. A warm cache answers in one read (pointer and body, or
    pointer and validators for a revalidation); it is kept no longer than the pointer alone would be."""
    encoding = accepted_encoding(request)
    conditional = _conditional(request)
    key = _front_key(slug, variant, "validators" if conditional else encoding)
    current = cache.get(key)
    if current is None or current.pointer.lapsed(timezone.localdate()):
        pointer, body = _current_stored(slug, variant, encoding)
        if pointer is None:  # no list or a lapsed one: the pointer's own path decides
            pointer = pointer_fresh(slug=slug)
            if pointer.snapshot_id is None:
                return None
        current = Current(pointer, body or _body(pointer.snapshot_id, variant, encoding, conditional=conditional))
        validators = Current(pointer, replace(current.body, content=b""))
        entries = {_front_key(slug, variant, "validators"): validators}
        if current.body.content:  # also under the snapshot, for a revalidation whose validator is stale
            entries |= {
                _front_key(slug, variant, encoding): current,
                _cache_key(pointer.snapshot_id, variant, encoding): current.body,
            }
        cache.set_many(entries, settings.CITY_POINTER_CACHE_SECONDS)
    return _response(request, current.pointer.snapshot_id, variant, encoding, current.body)


def _current_stored(slug: str, variant: str, encoding: str) -> tuple[Pointer | None, Body | None]:
    """The city's pointer and its list's stored body in one query (a cold cache): the pointer only if its list's
    evidence still counts, the body only if it was rendered."""
    render = FilteredRelation(
        "list_pointer__snapshot__renders", condition=Q(list_pointer__snapshot__renders__variant=variant)
    )
    pointer_columns = ("id", "list_pointer__snapshot_id", "list_pointer__valid_until")
    row = (
        City.objects.filter(slug=slug)
        .annotate(render=render)
        .values_list(*pointer_columns, "render__etag", "list_pointer__snapshot__published_at", f"render__{encoding}")
        .first()
    )
    pointer = Pointer(*row[:3]) if row is not None else None
    if pointer is None or pointer.snapshot_id is None or pointer.lapsed(timezone.localdate()):
        return None, None
    return pointer, Body(row[3], row[4], bytes(row[5])) if row[3] is not None else None


def rendered_response(request, *, snapshot_id: int, variant: str) -> HttpResponse:
    """The list as stored bytes, compressed as the client accepts, or 304 when the client's copy is current."""
    encoding = accepted_encoding(request)
    body = _body(snapshot_id, variant, encoding, conditional=_conditional(request))
    return _response(request, snapshot_id, variant, encoding, body)


def _conditional(request) -> bool:
    return "If-None-Match" in request.headers or "If-Modified-Since" in request.headers


def _body(snapshot_id: int, variant: str, encoding: str, *, conditional: bool) -> Body:
    return (conditional and _validators(snapshot_id, variant)) or rendered_body(snapshot_id, variant, encoding)


def _response(request, snapshot_id: int, variant: str, encoding: str, body: Body) -> HttpResponse:
    modified = int(body.last_modified.timestamp()) if body.last_modified else None  # HTTP dates are whole seconds
    response = get_conditional_response(request, etag=body.etag, last_modified=modified)
    if response is None:
        if not body.content:  # only the validators were read
            body = rendered_body(snapshot_id, variant, encoding)
        response = HttpResponse(body.content, content_type=VARIANTS[variant].content_type)
        if encoding != "identity":
            response["Content-Encoding"] = encoding
    response["ETag"] = body.etag
    if modified is not None:
        response["Last-Modified"] = http_date(modified)
    patch_vary_headers(response, ["Accept-Encoding"])
    return response
