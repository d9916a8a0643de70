"""`make bench`: seed, verify, serve and import at scale on the local PostgreSQL and Redis.

Every figure is measured in this one run and reported beside its target as a ratio, so the numbers
compare like with like on whatever machine runs them. Results go to bench/results/ as JSON and Markdown.
"""

import csv
import json
import os
import random
import re
import signal
import statistics
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
WORK = ROOT / "var" / "bench"
PY = sys.executable
DB = os.environ.get("BENCH_DB", "spine_bench")
SURGEONS = int(os.environ.get("BENCH_SURGEONS", "100000"))
CITIES = int(os.environ.get("BENCH_CITIES", "1000"))
LEIE_ROWS = int(os.environ.get("BENCH_LEIE_ROWS", "100000"))
CMS_ROWS = int(os.environ.get("BENCH_CMS_ROWS", "1000000"))
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
    "cached_city_vs_minimal": (">=", 0.4),
    "api_top_ten_vs_minimal": (">=", 0.15),
    "etag_304_vs_minimal": (">=", 0.6),
    "annual_run_vs_copy_floor": ("<=", 10.0),
    "leie_rows_per_second": (">=", 50_000),
    "cms_rows_per_second": (">=", 200_000),
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


def fresh_database():
    run("dropdb", "-h", "127.0.0.1", "-U", "postgres", "--if-exists", DB)
    run("createdb", "-h", "127.0.0.1", "-U", "postgres", DB)
    run("redis-cli", "-n", "14", "flushdb", capture=True)
    manage("migrate", "--no-input", "-v", "0")


def step_seed(results):
    log(f"seeding {SURGEONS:,} surgeons in {CITIES:,} cities")
    leie = WORK / "demo_leie.csv"
    seed = ("--replace", "--surgeons", str(SURGEONS), "--cities", str(CITIES), "--leie-out", str(leie))
    seconds = manage("seed_demo", *seed)
    results["seed_seconds"] = round(seconds, 2)
    results["seed_surgeons_per_second"] = round(SURGEONS / seconds)
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
    import psycopg

    path = WORK / "copy_floor.csv"
    with path.open("w", newline="") as handle:
        writer = csv.writer(handle)
        for i in range(rows):
            writer.writerow(
                [
                    1,
                    i // 7 + 1,
                    f"check{i % 7}",
                    "pass",
                    "primary_source",
                    "State board",
                    "2026-11-25 00:00:00+00",
                    "2027-11-25",
                    '{"a": 1}',
                    "Active license.",
                    "t",
                    "0" * 64,
                    "pass",
                    "t",
                    "",
                ]
            )
    columns = (
        "run_id, surgeon_id, check_key, outcome, method, source, checked_at, valid_until, evidence, reason, "
        "source_answered, fingerprint, effective_outcome, is_current, public_note"
    )
    with psycopg.connect(f"host=127.0.0.1 user=postgres dbname={DB}", autocommit=True) as conn:
        conn.execute("DROP TABLE IF EXISTS bench_copy_floor")
        conn.execute(
            "CREATE TABLE bench_copy_floor (LIKE verification_checkresult INCLUDING DEFAULTS INCLUDING INDEXES)"
        )
        conn.execute("ALTER TABLE bench_copy_floor ALTER COLUMN id ADD GENERATED BY DEFAULT AS IDENTITY")
        start = time.perf_counter()
        statement = f"COPY bench_copy_floor ({columns}) FROM STDIN WITH (FORMAT csv, FORCE_NOT_NULL (public_note))"
        with conn.cursor().copy(statement) as copy, path.open("rb") as handle:
            while chunk := handle.read(1 << 20):
                copy.write(chunk)
        seconds = time.perf_counter() - start
        conn.execute("DROP TABLE bench_copy_floor")
    return seconds


def step_verify(results):
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
    with background(*worker, ready=_wait_for_worker):
        seconds = manage("run_verification", "--kind", "annual")
    rows = int(shell("from verification.models import CheckResult; print(CheckResult.objects.count())"))
    floor = copy_floor_seconds(rows)
    results.update(
        annual_run_seconds=round(seconds, 2),
        annual_surgeons_per_second=round(SURGEONS / seconds),
        result_rows=rows,
        copy_floor_seconds=round(floor, 2),
        annual_run_vs_copy_floor=round(seconds / floor, 2),
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


def step_http(results):
    log("HTTP: gunicorn with 3 workers, measured with wrk on loopback")
    run(PY, "manage.py", "collectstatic", "--no-input", "-v", "0", env=PROD)
    city = shell(
        "from verification.models import CityListPointer; print(CityListPointer.objects.order_by('id')"
        ".values_list('city__slug', 'snapshot_id').first())",
        env=PROD,
    )
    slug, snapshot_id = re.match(r"\('([^']+)', (\d+)\)", city).groups()
    key = shell(
        "from api.models import Partner, PartnerAPIKey; p, _ = Partner.objects.get_or_create(name='bench', "
        "defaults={'throttle_rate': '100000000/second'}); print(PartnerAPIKey.objects.create_key(name='b', "
        "partner=p)[1])",
        env=PROD,
    )
    base = "http://127.0.0.1:8101"
    with gunicorn(8101, PROD):
        run("curl", "-s", "-o", "/dev/null", f"{base}/cities/{slug}/")  # warm the cache
        minimal = wrk(f"{base}/healthz")
        cached = wrk(f"{base}/cities/{slug}/")
        api = wrk(f"{base}/api/v1/cities/{slug}/top-ten/", headers=[f"Authorization: Api-Key {key}"])
        etag = wrk(f"{base}/cities/{slug}/", headers=[f'If-None-Match: "snapshot-{snapshot_id}"'])
        step_search(results, base)
        log(f"load: {LOAD_SECONDS} s at 64 connections")
        load = wrk(f"{base}/cities/{slug}/", seconds=LOAD_SECONDS, connections=64)
    with gunicorn(8102, {**PROD, "CACHE_URL": "dummycache://"}):
        uncached = wrk(f"http://127.0.0.1:8102/cities/{slug}/")
    results["http"] = {
        "minimal": minimal,
        "cached_city": cached,
        "uncached_city": uncached,
        "api_top_ten": api,
        "etag_304": etag,
        "load_64": load,
    }
    results["cached_city_vs_minimal"] = round(cached["rps"] / minimal["rps"], 3)
    results["uncached_city_vs_minimal"] = round(uncached["rps"] / minimal["rps"], 3)
    results["api_top_ten_vs_minimal"] = round(api["rps"] / minimal["rps"], 3)
    results["etag_304_vs_minimal"] = round(etag["rps"] / minimal["rps"], 3)
    results["load_errors"] = load["errors"] + sum(r["errors"] for r in (minimal, cached, api, etag, uncached))


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


def write_cms(path: Path, rows: int, npis: list[str]):
    header = [
        "Rndrng_NPI",
        "Rndrng_Prvdr_Last_Org_Name",
        "Rndrng_Prvdr_First_Name",
        "Rndrng_Prvdr_City",
        "Rndrng_Prvdr_State_Abrvtn",
        "HCPCS_Cd",
        "HCPCS_Desc",
        "Place_Of_Srvc",
        "Tot_Benes",
        "Tot_Srvcs",
    ]
    codes = ["99213", "99214", "63030", "63047", "22612", "20610", "99203", "72148"]
    rng = random.Random(12)
    with path.open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        for i in range(rows):
            npi = npis[i % len(npis)] if i % 3 == 0 else f"1{rng.randint(100000000, 999999999)}"
            writer.writerow(
                [
                    npi,
                    "SMITH",
                    "JO",
                    "HOUSTON",
                    "TX",
                    rng.choice(codes),
                    "desc",
                    rng.choice("FO"),
                    rng.randint(11, 90),
                    f"{rng.randint(11, 200)}.0",
                ]
            )


def manage_import(*args) -> tuple[float, float]:
    """(seconds the import itself took, as its summary line reports them; seconds of the whole process)."""
    start = time.perf_counter()
    done = run(PY, "manage.py", *args, capture=True)
    process_seconds = time.perf_counter() - start
    summary = done.stdout.strip().splitlines()[-1]
    log(summary)
    found = re.search(r"; (\d+\.\d+) s\.$", summary)
    if not found:
        raise RuntimeError(f"{args[0]} printed no timing in its summary line: {summary!r}")
    return float(found[1]), process_seconds


def step_imports(results):
    log(f"importers: {LEIE_ROWS:,} LEIE rows, {CMS_ROWS:,} CMS rows")
    leie, cms = WORK / "UPDATED.csv", WORK / "cms.csv"
    write_leie(leie, LEIE_ROWS)
    code = "from directory.models import Surgeon; print(','.join(Surgeon.objects.values_list('npi', flat=True)[:5000]))"
    npis = shell(code).splitlines()[-1].split(",")  # the shell may print its auto-imports first
    write_cms(cms, CMS_ROWS, npis)
    # Rows per second count the import itself (file opened to summary); process start-up is reported beside it.
    # --force: this synthetic file replaces the demo list step_seed imported, which the importer would
    # otherwise refuse as a suspiciously large drop.
    leie_seconds, leie_process = manage_import("import_leie", str(leie), "--force")
    leie_again_seconds, _ = manage_import("import_leie", str(leie))  # the monthly case: every row already known
    cms_seconds, cms_process = manage_import("import_cms_procedures", str(cms), "--year", "2024")
    results.update(
        leie_seconds=round(leie_seconds, 2),
        leie_process_seconds=round(leie_process, 2),
        leie_rows_per_second=round(LEIE_ROWS / leie_seconds),
        leie_reimport_rows_per_second=round(LEIE_ROWS / leie_again_seconds),
        cms_seconds=round(cms_seconds, 2),
        cms_process_seconds=round(cms_process, 2),
        cms_rows_per_second=round(CMS_ROWS / cms_seconds),
    )


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


def main():
    WORK.mkdir(parents=True, exist_ok=True)
    results = {"surgeons": SURGEONS, "cities": CITIES, "cpus": os.cpu_count()}
    fresh_database()
    step_seed(results)
    step_verify(results)
    step_http(results)
    step_imports(results)
    report(results)


if __name__ == "__main__":
    main()
