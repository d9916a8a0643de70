"""`make bench`: seed, verify, serve and import at scale on the local PostgreSQL and Redis.

Every figure is measured in this one run and reported beside its target as a ratio, so the numbers
compare like with like on whatever machine runs them. Results go to bench/results/ as JSON and Markdown.
"""

import csv
import itertools
import json
import os
import random
import re
import signal
import statistics
import subprocess
import sys
import threading
import time
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
WORK = ROOT / "var" / "bench"
PY = sys.executable
DB = os.environ.get("BENCH_DB", "spine_bench")
SURGEONS = int(os.environ.get("BENCH_SURGEONS", "100000"))
CITIES = int(os.environ.get("BENCH_CITIES", "1000"))
# The same run at a tenth of the size first: how each time grows with the directory.
SMALL_SURGEONS, SMALL_CITIES = SURGEONS // 10, max(1, CITIES // 10)
LEIE_ROWS = int(os.environ.get("BENCH_LEIE_ROWS", "100000"))
DEACTIVATED_ROWS = int(os.environ.get("BENCH_DEACTIVATED_ROWS", "300000"))  # the real report lists ~300,000
WRK_SECONDS = int(os.environ.get("BENCH_WRK_SECONDS", "10"))
LOAD_SECONDS = int(os.environ.get("BENCH_LOAD_SECONDS", "30"))
SECRET = "bench-only-secret-key-" + "k" * 40
ENV = {
    **os.environ,
    "DATABASE_URL": f"postgres://postgres@127.0.0.1:5432/{DB}",
    "REDIS_URL": "redis://127.0.0.1:6379/14",
    "DJANGO_SETTINGS_MODULE": "config.settings",
    "LOG_LEVEL": "WARNING",
}
PROD = {
    **ENV,
    "DJANGO_DEBUG": "false",
    "DJANGO_SECRET_KEY": SECRET,
    "DJANGO_SECURE_SSL_REDIRECT": "false",
    "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost",
}

TARGETS = {
    "cached_city_vs_minimal": (">=", 0.6),
    "api_top_ten_vs_minimal": (">=", 0.35),
    "etag_304_vs_minimal": (">=", 0.8),
    "uncached_city_vs_minimal": (">=", 0.25),
    "profile_vs_minimal": (">=", 0.15),
    "annual_run_vs_copy_floor": ("<=", 5.0),
    "leie_vs_floor": ("<=", 1.25),
    "dac_vs_floor": ("<=", 1.25),
    "deactivations_vs_floor": ("<=", 1.25),
    "cms_vs_floor": ("<=", 1.25),
    "worker_peak_rss_mb": ("<=", 300),
    "importer_peak_rss_mb": ("<=", 200),
    "growth_annual_run": ("<=", 11),
    "growth_imports": ("<=", 11),
    "load_errors": ("<=", 0),
    "search_p95_ms": ("<=", 150),
    "nearby_p95_ms": ("<=", 150),
}

# Patient searches, timed one at a time (latency, not throughput) against gunicorn: the kinds issue 16 names.
SEARCH_ROUNDS = int(os.environ.get("BENCH_SEARCH_ROUNDS", "20"))
SEARCHES = {
    "city": ["q=Houston", "q=San+Antonio", "q=St.+Louis%2C+MO", "q=Oklahoma+City+OK", "q=spine+surgeon+in+Dallas"],
    "name": ["q=Dr.+Garcia", "q=Nguyen", "q=Patel+Houston", "q=Gonz%C3%A1lez"],
    "typo": ["q=Gutierez", "q=Rodriquez", "q=Hoston"],
    "filters": ["specialty=207T00000X&accepting=on", "specialty=207XS0117X"],
    "nearby": ["q=77005", "q=near+77030&radius=10", "q=75201&radius=50", "q=60611&radius=100"],
}


def log(message):
    print(f"[bench] {message}", flush=True)


def run(*args, env=ENV, check=True, capture=False) -> subprocess.CompletedProcess:
    return subprocess.run(args, cwd=ROOT, env=env, check=check, text=True, capture_output=capture)


def timed(*args, env=ENV) -> float:
    start = time.perf_counter()
    run(*args, env=env)
    return time.perf_counter() - start


def manage(*args, env=ENV) -> float:
    return timed(PY, "manage.py", *args, env=env)


def shell(code: str, env=ENV) -> str:
    return run(PY, "manage.py", "shell", "--no-imports", "-c", code, env=env, capture=True).stdout.strip()


@contextmanager
def background(*args, env=ENV, ready=None):
    process = subprocess.Popen(args, cwd=ROOT, env=env, start_new_session=True)
    process.memory = PeakMemory(process.pid)
    try:
        if ready:
            ready()
        yield process
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)


class PeakMemory:
    """Peak resident memory (VmHWM) of every process in a session (a command and its children), sampled 5×/s."""

    def __init__(self, session_id: int):
        self.session_id, self.peak_kb, self._stop = session_id, 0, threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)
        self._thread.start()

    def _sample(self):
        while not self._stop.wait(0.2):
            for status in Path("/proc").glob("[0-9]*/status"):
                try:
                    if os.getsid(int(status.parent.name)) != self.session_id:
                        continue
                    for line in status.read_text().splitlines():
                        if line.startswith("VmHWM:"):
                            self.peak_kb = max(self.peak_kb, int(line.split()[1]))
                except (OSError, ValueError):
                    continue  # the process ended between the listing and the read

    def stop(self) -> float:
        """Stop sampling; the peak in MB."""
        self._stop.set()
        self._thread.join()
        return round(self.peak_kb / 1024, 1)


def fresh_database():
    run("dropdb", "-h", "127.0.0.1", "-U", "postgres", "--if-exists", DB)
    run("createdb", "-h", "127.0.0.1", "-U", "postgres", DB)
    run("redis-cli", "-n", "14", "flushdb", capture=True)
    manage("migrate", "--no-input", "-v", "0")


@dataclass(frozen=True)
class Scale:
    surgeons: int
    cities: int
    share: float  # of the full run's synthetic import files

    def rows(self, full: int) -> int:
        return max(1, round(full * self.share))


def step_seed(results, scale: Scale):
    log(f"seeding {scale.surgeons:,} surgeons in {scale.cities:,} cities")
    leie = WORK / "demo_leie.csv"
    seed = ("--replace", "--surgeons", str(scale.surgeons), "--cities", str(scale.cities), "--leie-out", str(leie))
    seconds = manage("seed_demo", *seed, "--files-out", str(WORK / "files"))
    results["seed_seconds"] = round(seconds, 2)
    results["seed_surgeons_per_second"] = round(scale.surgeons / seconds)
    manage("import_leie", str(leie))  # without an exclusion list every sanctions check is `unknown`


def _wait_for_worker():
    deadline = time.time() + 60
    while time.time() < deadline:
        ping = run(PY, "-m", "celery", "-A", "config", "inspect", "ping", "--timeout", "1", check=False, capture=True)
        if "pong" in ping.stdout:
            return
        time.sleep(1)
    raise RuntimeError("the Celery worker did not start")


def copy_floor_seconds(rows: int) -> float:
    """Time PostgreSQL needs to COPY the same number of check-result rows into a table of the same shape."""
    result = [1, 0, "", "pass", "primary_source", "State board", "2026-11-25 00:00:00+00", "2027-11-25", '{"a": 1}',
              "Active license.", "t", "0" * 64, "pass", "t", ""]  # fmt: skip
    columns = (
        "run_id, surgeon_id, check_key, outcome, method, source, checked_at, valid_until, evidence, reason, "
        "source_answered, fingerprint, effective_outcome, is_current, public_note"
    )
    results = ([*result[:1], i // 7 + 1, f"check{i % 7}", *result[3:]] for i in range(rows))
    return copy_rows_seconds(results, columns=columns, like="verification_checkresult")


def step_verify(results, scale: Scale):
    log("annual verification with two Celery worker processes")
    worker = (
        PY,
        "-m",
        "celery",
        "-A",
        "config",
        "worker",
        "--concurrency=2",
        "--loglevel=WARNING",
        "--without-gossip",
        "--without-mingle",
    )
    with background(*worker, ready=_wait_for_worker) as process:
        seconds = manage("run_verification", "--kind", "annual")
        peak = process.memory.stop()
    rows = int(shell("from verification.models import CheckResult; print(CheckResult.objects.count())"))
    publication = shell(
        "from verification.models import VerificationRun as R; r = R.objects.filter(kind='annual').latest('id'); "
        "print((r.publication_done_at - r.handed_over_at).total_seconds())"
    )
    floor = copy_floor_seconds(rows)
    results.update(
        annual_run_seconds=round(seconds, 2),
        annual_surgeons_per_second=round(scale.surgeons / seconds),
        result_rows=rows,
        copy_floor_seconds=round(floor, 2),
        annual_run_vs_copy_floor=round(seconds / floor, 2),
        publication_seconds=round(float(publication.splitlines()[-1]), 2),
        worker_peak_rss_mb=peak,
    )


def _wait_http(port):
    import urllib.request

    deadline = time.time() + 60
    while time.time() < deadline:
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2)  # noqa: S310 - loopback only
            return
        except OSError:
            time.sleep(0.5)
    raise RuntimeError("gunicorn did not start")


# What every browser sends: pages are measured as patients get them (lists come precompressed).
BROWSER = "Accept-Encoding: gzip, deflate, br"
WRK_LINE = re.compile(r"Requests/sec:\s+([\d.]+)")
P99 = re.compile(r"99%\s+([\d.]+)(us|ms|s)")
ERRORS = re.compile(
    r"Non-2xx or 3xx responses: (\d+)|Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)"
)


def wrk(url, *, seconds=WRK_SECONDS, connections=32, headers=()) -> dict:
    args = ["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "--latency", "--timeout", "10s"]
    for header in headers:
        args += ["-H", header]
    out = run(*args, url, capture=True).stdout
    p99 = P99.search(out)
    scale = {"us": 0.001, "ms": 1, "s": 1000}[p99.group(2)] if p99 else 0
    errors = sum(int(n) for match in ERRORS.finditer(out) for n in match.groups() if n)
    return {
        "rps": float(WRK_LINE.search(out).group(1)),
        "p99_ms": round(float(p99.group(1)) * scale, 2) if p99 else None,
        "errors": errors,
    }


def gunicorn(port, env):
    return background(
        PY,
        "-m",
        "gunicorn",
        "config.wsgi:application",
        "--bind",
        f"127.0.0.1:{port}",
        "--workers",
        "3",
        "--log-level",
        "warning",
        env=env,
        ready=lambda: _wait_http(port),
    )


def step_http(results, *, full: bool):
    log("HTTP: gunicorn with 3 workers, measured with wrk on loopback")
    listed = shell(
        "from verification.models import CityListPointer; p = CityListPointer.objects.order_by('id').select_related("
        "'city').first(); print(p.city.slug, p.snapshot.entries.order_by('rank').first().surgeon.npi)",
        env=PROD,
    )
    slug, npi = listed.split()[-2:]
    key = shell(
        "from api.models import Partner, PartnerAPIKey; p, _ = Partner.objects.get_or_create(name='bench', "
        "defaults={'throttle_rate': '100000000/second'}); print(PartnerAPIKey.objects.create_key(name='b', "
        "partner=p)[1])",
        env=PROD,
    )
    base = "http://127.0.0.1:8101"
    page, profile = f"{base}/cities/{slug}/", f"{base}/surgeons/{npi}/"
    with gunicorn(8101, PROD):
        etag = run("curl", "-s", "-o", "/dev/null", "-D", "-", page, capture=True).stdout  # warms the cache too
        etag = re.search(r"(?im)^etag: (.+?)\s*$", etag).group(1)
        run("curl", "-s", "-o", "/dev/null", profile)
        minimal = wrk(f"{base}/healthz")
        cached = wrk(page, headers=[BROWSER])
        api = wrk(f"{base}/api/v1/cities/{slug}/top-ten/", headers=[f"Authorization: Api-Key {key}", BROWSER])
        not_modified = wrk(page, headers=[f"If-None-Match: {etag}", BROWSER])
        profile_page = wrk(profile, headers=[BROWSER])
        if full:
            step_search(results, base)
            log(f"load: {LOAD_SECONDS} s at 64 connections")
            load = wrk(page, seconds=LOAD_SECONDS, connections=64)
    with gunicorn(8102, {**PROD, "CACHE_URL": "dummycache://"}):
        uncached = wrk(f"http://127.0.0.1:8102/cities/{slug}/", headers=[BROWSER])
    results["http"] = {
        "minimal": minimal,
        "cached_city": cached,
        "uncached_city": uncached,
        "api_top_ten": api,
        "etag_304": not_modified,
        "profile": profile_page,
        **({"load_64": load} if full else {}),
    }
    for name in ("cached_city", "uncached_city", "api_top_ten", "etag_304", "profile"):
        figure = "profile_vs_minimal" if name == "profile" else f"{name}_vs_minimal"
        results[figure] = round(results["http"][name]["rps"] / minimal["rps"], 3)
    results["load_errors"] = sum(figures["errors"] for figures in results["http"].values())


def _p95(samples: list[float]) -> float:
    ordered = sorted(samples)
    return round(ordered[max(0, int(len(ordered) * 0.95) - 1)], 1)


def step_search(results, base):
    """p95 latency of each kind of patient search, one request at a time, after one warm-up round."""
    import urllib.request

    log(f"search: {SEARCH_ROUNDS} rounds of {sum(map(len, SEARCHES.values()))} queries, one at a time")
    timings = {kind: [] for kind in SEARCHES}
    for round_number in range(SEARCH_ROUNDS + 1):
        for kind, queries in SEARCHES.items():
            for query in queries:
                started = time.perf_counter()
                with urllib.request.urlopen(f"{base}/search/?{query}", timeout=30) as response:  # noqa: S310
                    response.read()
                if round_number:  # the first round warms caches and connections
                    timings[kind].append((time.perf_counter() - started) * 1000)
    results["search"] = {
        kind: {"p50_ms": round(statistics.median(t), 1), "p95_ms": _p95(t)} for kind, t in timings.items()
    }
    results["search_p95_ms"] = _p95([t for kind, samples in timings.items() if kind != "nearby" for t in samples])
    results["nearby_p95_ms"] = _p95(timings["nearby"])


def write_leie(path: Path, rows: int):
    header = (
        "LASTNAME,FIRSTNAME,MIDNAME,BUSNAME,GENERAL,SPECIALTY,UPIN,NPI,DOB,ADDRESS,CITY,STATE,ZIP,EXCLTYPE,"
        "EXCLDATE,REINDATE,WAIVERDATE,WVRSTATE"
    )
    rng = random.Random(11)
    with path.open("w", newline="") as handle:
        handle.write(header + "\n")
        writer = csv.writer(handle)
        for i in range(rows):
            writer.writerow(
                [
                    f"NAME{i}",
                    f"FIRST{rng.randint(1, 500)}",
                    "",
                    "",
                    "INDIVIDUAL",
                    "",
                    "",
                    "0000000000",
                    f"19{rng.randint(40, 89)}0{rng.randint(1, 9)}1{rng.randint(0, 9)}",
                    f"{i} MAIN ST",
                    "SPRINGFIELD",
                    rng.choice(["TX", "IL", "CA", "NY"]),
                    "12345",
                    "1128a1",
                    f"20{rng.randint(10, 25)}0101",
                    "00000000",
                    "00000000",
                    "",
                ]
            )


def write_deactivations(path: Path, rows: int, on_file: list[tuple[str, str]]):
    """CMS's Deactivated NPI Report (a title line, the header, MM/DD/YYYY dates): the directory's deactivated NPIs
    as they stand (so nothing changes) and other providers' up to `rows`."""
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet()
    sheet.append(["NPPES Deactivated NPI Report 20261110"])
    sheet.append(["NPI", "NPPES Deactivation Date"])
    for npi, on in on_file:
        sheet.append([npi, on])
    for i in range(rows - len(on_file)):
        sheet.append([f"19{i:08d}", "03/15/2019"])
    workbook.save(path)


def manage_import(*args) -> tuple[float, float]:
    """(seconds the import itself took, as its summary line reports them; the process's peak memory in MB)."""
    process = subprocess.Popen(
        (PY, "manage.py", *args), cwd=ROOT, env=ENV, text=True, stdout=subprocess.PIPE, start_new_session=True
    )
    memory = PeakMemory(process.pid)
    out, _ = process.communicate()
    peak = memory.stop()
    if process.returncode:
        raise RuntimeError(f"{args[0]} failed ({process.returncode})")
    summary = out.strip().splitlines()[-1]
    log(f"{summary} (peak {peak} MB)")
    found = re.search(r"; (\d+\.\d+) s\.$", summary)
    if not found:
        raise RuntimeError(f"{args[0]} printed no timing in its summary line: {summary!r}")
    return float(found[1]), peak


def copy_rows_seconds(rows, *, columns: str, like: str = "", nulls: str = "") -> float:
    """A bare COPY of these rows (written to a file first, not timed) into a fresh table: one `like` an app's table
    (its columns, defaults and indexes; `columns` names those given, `nulls` the ones an empty field leaves NULL),
    or one of these `columns`."""
    import psycopg

    path = WORK / "floor.csv"
    with path.open("w", newline="") as handle:
        csv.writer(handle, quoting=csv.QUOTE_ALL).writerows(rows)
    with psycopg.connect(f"host=127.0.0.1 user=postgres dbname={DB}", autocommit=True) as conn:
        conn.execute("DROP TABLE IF EXISTS bench_floor")
        if like:
            conn.execute(f"CREATE TABLE bench_floor (LIKE {like} INCLUDING DEFAULTS INCLUDING INDEXES)")
            conn.execute("ALTER TABLE bench_floor ALTER COLUMN id ADD GENERATED BY DEFAULT AS IDENTITY")
            names = columns
        else:
            conn.execute(f"CREATE TABLE bench_floor ({columns})")
            names = ", ".join(column.split()[0] for column in columns.split(", "))
        options = f"FORMAT csv, FORCE_NULL ({nulls})" if nulls else "FORMAT csv"
        start = time.perf_counter()
        statement = f"COPY bench_floor ({names}) FROM STDIN WITH ({options})"
        with conn.cursor().copy(statement) as copy, path.open("rb") as handle:
            while chunk := handle.read(1 << 20):
                copy.write(chunk)
        seconds = time.perf_counter() - start
        conn.execute("DROP TABLE bench_floor")
    return seconds


def leie_floor_seconds(path: Path) -> float:
    """COPY of the file's rows into a table like the exclusion list's (its columns, defaults and indexes)."""
    import hashlib

    def rows():
        with path.open(newline="") as handle:
            for row in itertools.islice(csv.reader(handle), 1, None):
                day = [f"{d[:4]}-{d[4:6]}-{d[6:]}" if d.strip("0") else "" for d in (row[8], row[14], row[15], row[16])]
                digest = hashlib.sha256(",".join(row).encode()).hexdigest()
                yield ["oig_leie", digest, *row[0:6], row[7], day[0], row[10], row[11], row[13], *day[1:], row[17],
                       "2026-11-29 00:00:00+00", "t"]  # fmt: skip

    columns = (
        "source, row_hash, last_name, first_name, middle_name, business_name, general, specialty, npi, date_of_birth, "
        "city, state, exclusion_type, exclusion_date, reinstatement_date, waiver_date, waiver_state, first_seen_at, "
        "active"
    )
    dates = "date_of_birth, exclusion_date, reinstatement_date, waiver_date"
    return copy_rows_seconds(rows(), columns=columns, like="verification_exclusionrecord", nulls=dates)


def dac_floor_seconds(path: Path) -> float:
    """COPY of the file's rows, the fields a practice location keeps, into a table of those columns."""

    def rows():
        with path.open(newline="", encoding="utf-8") as handle:
            reader = csv.DictReader(handle)
            for r in reader:
                yield [r["NPI"], r["org_pac_id"], r["Facility Name"], r["adr_ln_1"], r["adr_ln_2"], r["City/Town"],
                       r["State"], r["ZIP Code"], r["Telephone Number"]]  # fmt: skip

    columns = (
        "npi varchar(10), org_pac_id varchar(10), practice_name varchar(200), address_line1 varchar(200), "
        "address_line2 varchar(200), city varchar(100), state varchar(2), postal_code varchar(10), phone varchar(20)"
    )
    return copy_rows_seconds(rows(), columns=columns)


def cms_floor_seconds(path: Path) -> float:
    """A bare line-by-line read of the file."""
    start = time.perf_counter()
    with path.open("rb") as handle:
        for _ in handle:
            pass
    return time.perf_counter() - start


def step_imports(results, scale: Scale):
    leie_rows, deactivated_rows = scale.rows(LEIE_ROWS), scale.rows(DEACTIVATED_ROWS)
    log(f"importers: {leie_rows:,} LEIE rows, {deactivated_rows:,} deactivated NPIs, the seeded DAC and CMS files")
    # The seeded CMS and DAC files (CMS's layouts, the directory's own rows: re-importing them changes nothing).
    leie, cms, dac = (WORK / "UPDATED.csv", WORK / "files" / "MUP_PHY_Prov_Svc.csv",
                      WORK / "files" / "DAC_NationalDownloadableFile.csv")  # fmt: skip
    deactivations = WORK / "NPPES Deactivated NPI Report.xlsx"
    write_leie(leie, leie_rows)
    code = (
        "from directory.models import Surgeon; print(';'.join(f'{n},{d:%m/%d/%Y}' for n, d in "
        "Surgeon.objects.exclude(npi_deactivated_on=None).values_list('npi', 'npi_deactivated_on')))"
    )
    on_file = [tuple(pair.split(",")) for pair in shell(code).splitlines()[-1].split(";") if pair]
    write_deactivations(deactivations, deactivated_rows, on_file)
    # Each import is timed from file opened to summary (its summary line) and set beside its floor, measured now.
    # --force: this synthetic LEIE file replaces the demo list step_seed imported, which the importer would
    # otherwise refuse as a suspiciously large drop.
    leie_seconds, leie_peak = manage_import("import_leie", str(leie), "--force")
    leie_again_seconds, _ = manage_import("import_leie", str(leie))  # the monthly case: every row already known
    dac_seconds, dac_peak = manage_import("import_dac", str(dac))
    deactivation_seconds, deactivation_peak = manage_import("import_nppes_deactivations", str(deactivations))
    cms_seconds, cms_peak = manage_import("import_cms_procedures", str(cms), "--year", "2024")
    floors = {
        "leie": leie_floor_seconds(leie),
        "dac": dac_floor_seconds(dac),
        "deactivations": copy_rows_seconds(
            _report_rows(on_file, deactivated_rows), columns="npi varchar(10), deactivated_on date"
        ),
        "cms": cms_floor_seconds(cms),
    }
    seconds = {"leie": leie_seconds, "dac": dac_seconds, "deactivations": deactivation_seconds, "cms": cms_seconds}
    for name, floor in floors.items():
        results[f"{name}_seconds"] = round(seconds[name], 3)
        results[f"{name}_floor_seconds"] = round(floor, 3)
        results[f"{name}_vs_floor"] = round(seconds[name] / floor, 2)
    results.update(
        leie_rows_per_second=round(leie_rows / leie_seconds),
        leie_reimport_seconds=round(leie_again_seconds, 3),
        cms_rows_per_second=round(sum(1 for _ in cms.open("rb")) / cms_seconds),
        importer_peak_rss_mb=max(leie_peak, dac_peak, deactivation_peak, cms_peak),
        importer_peaks_mb={"leie": leie_peak, "dac": dac_peak, "deactivations": deactivation_peak, "cms": cms_peak},
    )


def _report_rows(on_file, rows):
    def iso(day: str) -> str:
        month, dom, year = day.split("/")
        return f"{year}-{month}-{dom}"

    yield from ([npi, iso(on)] for npi, on in on_file)
    yield from ([f"19{i:08d}", "2019-03-15"] for i in range(rows - len(on_file)))


def verdicts(results) -> list[tuple]:
    rows = []
    for name, (op, target) in TARGETS.items():
        value = results.get(name)
        met = value is not None and (value >= target if op == ">=" else value <= target)
        rows.append((name, value, f"{op} {target}", "met" if met else "MISSED"))
    return rows


def report(results):
    RESULTS.mkdir(parents=True, exist_ok=True)
    stamp = time.strftime("%Y%m%d-%H%M%S")
    (RESULTS / f"bench-{stamp}.json").write_text(json.dumps(results, indent=2))
    lines = ["| figure | value | target | verdict |", "|---|---|---|---|"]
    lines += [f"| {n} | {v} | {t} | {m} |" for n, v, t, m in verdicts(results)]
    lines += ["", "| other figure | value |", "|---|---|"]
    lines += [f"| {k} | {v} |" for k, v in results.items() if k not in TARGETS and not isinstance(v, dict)]
    for kind, figures in results.get("search", {}).items():
        lines.append(f"| search {kind} | p95 {figures['p95_ms']} ms |")
    for name, figures in results.get("http", {}).items():
        lines.append(
            f"| http {name} | {figures['rps']} req/s, p99 {figures['p99_ms']} ms, errors {figures['errors']} |"
        )
    text = "\n".join(lines) + "\n"
    (RESULTS / f"bench-{stamp}.md").write_text(text)
    (RESULTS / "latest.md").write_text(text)
    print(text)


GROWN = ("annual_run_seconds", "publication_seconds", "leie_seconds", "dac_seconds", "deactivations_seconds",
         "cms_seconds")  # fmt: skip
FLAT = ("cached_city_vs_minimal", "uncached_city_vs_minimal", "api_top_ten_vs_minimal", "etag_304_vs_minimal",
        "profile_vs_minimal")  # fmt: skip


def measure(scale: Scale, *, full: bool) -> dict:
    results = {"surgeons": scale.surgeons, "cities": scale.cities}
    fresh_database()
    step_seed(results, scale)
    step_verify(results, scale)
    step_http(results, full=full)
    step_imports(results, scale)
    return results


def growth(small: dict, big: dict) -> dict:
    """How each time grew from the tenth-size run (near-linear is about 10×), and how page figures moved (≈ 1)."""
    grown = {f"growth_{name.removesuffix('_seconds')}": round(big[name] / small[name], 2) for name in GROWN}
    imports = [grown[f"growth_{name}"] for name in ("leie", "dac", "deactivations", "cms")]
    return {
        **grown,
        "growth_imports": max(imports),
        **{f"flat_{name.removesuffix('_vs_minimal')}": round(big[name] / small[name], 2) for name in FLAT},
    }


def main():
    WORK.mkdir(parents=True, exist_ok=True)
    # Before any run: the publishing workers render pages, which name the static files' hashed paths.
    run(PY, "manage.py", "collectstatic", "--no-input", "-v", "0", env=PROD)
    small = measure(Scale(SMALL_SURGEONS, SMALL_CITIES, share=0.1), full=False)
    results = {"cpus": os.cpu_count(), **measure(Scale(SURGEONS, CITIES, share=1.0), full=True)}
    results.update(growth(small, results), small=small)
    report(results)


if __name__ == "__main__":
    main()
