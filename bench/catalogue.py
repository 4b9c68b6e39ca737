"""Catalogue benchmark (issue #2): search API and list page against a bare Django view.

Run ``make bench`` (or ``.venv/bin/python bench/catalogue.py --help``). In one run it

1. creates the PostgreSQL database ``portal_bench`` on 127.0.0.1 (dropped first if it exists),
   migrates it and loads the demo catalogue plus 2,000 generated procedures;
2. starts gunicorn (``portal.wsgi``, 2 sync workers, production settings, Redis cache on
   database 14) on a free port of 127.0.0.1, warms every URL of the scenarios and waits (up to
   ``--wait-quiet`` s) for other work on the machine to stop;
3. drives each scenario with locust (``tests/load/locustfile.py``) for a fixed time and number of
   users, interleaved in ``--rounds`` rounds: (c) ``/bench/ok``, the ceiling; (a) the search API;
   (b) the catalogue page; a round during which other work took CPU is run again (``--retries``);
4. prints requests/s and p95 of each, with (a) and (b) as a ratio of (c) measured in the same
   run, and PASS/FAIL against the targets (ratio >= 0.50, p95 < 50 ms);
5. times uncached answers once: sequential requests on URLs the cache has never seen, then the
   same URLs again from the cache;
6. stops gunicorn, drops the database and empties Redis database 14 (``--keep-db`` keeps both),
   also on errors and Ctrl-C.

Traffic goes to 127.0.0.1 only and every phase is bounded in time. The exit status is 0 whatever
the figures (it is a measurement), 1 when a scenario had more than 1 % failures, 2 when the set-up
failed. Figures are also written as JSON to ``bench/results/`` (ignored by git).
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import platform
import resource
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass
from datetime import datetime
from itertools import cycle, islice
from pathlib import Path

import psycopg2
import redis

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.load import API_URLS, CEILING_PATH, PAGE_URLS, SEARCHES, api_url, page_url  # noqa: E402

BIN = Path(sys.executable).parent
LOCUSTFILE = ROOT / "tests" / "load" / "locustfile.py"
STATS_FILE_VARIABLE = "BENCH_STATS_FILE"  # where the locustfile writes its figures at the end
RESULTS_DIR = ROOT / "bench" / "results"

HOST = "127.0.0.1"
DB_NAME = "portal_bench"
ADMIN_DSN = {"host": HOST, "port": 5432, "user": "postgres", "dbname": "postgres"}
REDIS_URL = f"redis://{HOST}:6379/14"
PROCEDURE_COUNT = 2000

TARGET_RATIO = 0.50
TARGET_P95_MS = 50.0
MAX_FAILURE_RATE = 0.01
BUSY_MACHINE_CORES = 0.25  # background load above which we wait before measuring
# CPU taken by anything but the client and gunicorn while a scenario runs, above which it is
# measured again (cached answers cost Redis and PostgreSQL next to nothing: about 0.05 cores).
DISTURBED_CORES = 0.30

SERVER_ENV = {
    "PORTAL_ENV": "production",
    "PORTAL_BASE_URL": "http://127.0.0.1:8000",
    "DJANGO_SECRET_KEY": "bench-only-not-a-secret-key-catalogue-benchmark-0123456789",
    "DJANGO_ALLOWED_HOSTS": HOST,
    "DJANGO_DEBUG": "0",
    "DATABASE_URL": f"postgres://postgres@{HOST}:5432/{DB_NAME}",
    "DATABASE_CONN_MAX_AGE": "60",
    "REDIS_URL": REDIS_URL,
    "CATALOGUE_CACHE_SECONDS": "600",
    "CELERY_BROKER_URL": "memory://",
    "STATIC_MANIFEST": "0",
    "SECURE_SSL_REDIRECT": "0",
    "LOG_LEVEL": "WARNING",
}


@dataclass(frozen=True)
class Scenario:
    key: str
    user_class: str
    label: str


SCENARIOS = [
    Scenario("c", "CeilingUser", "(c) ceiling /bench/ok"),
    Scenario("a", "CatalogueApiUser", "(a) search API"),
    Scenario("b", "CataloguePageUser", "(b) list page /thu-tuc/"),
]


@dataclass
class LoadResult:
    key: str
    label: str
    requests: int
    failures: int
    rps: float
    p50_ms: float
    p95_ms: float
    client_cores: float = float("nan")
    server_cores: float = float("nan")
    server_cpu_ms: float = float("nan")  # server CPU time per request, all workers
    other_cores: float = float("nan")  # Redis, PostgreSQL and whatever else ran meanwhile
    ratio: float = 1.0
    failure_examples: tuple[str, ...] = ()

    @property
    def disturbed(self) -> bool:
        return self.other_cores > DISTURBED_CORES

    @property
    def failure_rate(self) -> float:
        return self.failures / self.requests if self.requests else 1.0

    def verdict(self) -> str:
        note = " — disturbed by other work" if self.disturbed else ""
        if self.key == "c":
            return "baseline" + note
        misses = []
        if self.ratio < TARGET_RATIO:
            misses.append(f"ratio < {TARGET_RATIO:.2f}")
        if self.p95_ms >= TARGET_P95_MS:
            misses.append(f"p95 >= {TARGET_P95_MS:.0f} ms")
        return ("PASS" if not misses else "FAIL (" + ", ".join(misses) + ")") + note


class SetupError(Exception):
    """The benchmark could not be set up; the message says why."""


def _interrupt(signum, frame):
    raise KeyboardInterrupt(f"signal {signum}")


def say(message: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {message}", flush=True)


# --- database, cache and management commands -------------------------------------------------


def _admin_sql(*statements: str) -> None:
    connection = psycopg2.connect(**ADMIN_DSN)
    try:
        connection.autocommit = True
        with connection.cursor() as cursor:
            for statement in statements:
                cursor.execute(statement)
    finally:
        connection.close()


def create_database() -> None:
    _admin_sql(f"DROP DATABASE IF EXISTS {DB_NAME} WITH (FORCE)", f"CREATE DATABASE {DB_NAME}")


def drop_database() -> None:
    _admin_sql(f"DROP DATABASE IF EXISTS {DB_NAME} WITH (FORCE)")


def bench_db_facts() -> tuple[int, str]:
    connection = psycopg2.connect(**{**ADMIN_DSN, "dbname": DB_NAME})
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM procedures_procedure WHERE published")
            published = cursor.fetchone()[0]
            cursor.execute("SHOW server_version")
            version = cursor.fetchone()[0]
    finally:
        connection.close()
    return published, version


def flush_cache() -> None:
    """Empty Redis database 14, the bench server's cache: every catalogue answer is gone."""
    client = redis.Redis.from_url(REDIS_URL)
    try:
        client.flushdb()
    finally:
        client.close()


def server_env() -> dict[str, str]:
    return {**os.environ, **SERVER_ENV}


def manage(*args: str) -> None:
    command = [sys.executable, "manage.py", *args]
    done = subprocess.run(
        command, cwd=ROOT, env=server_env(), capture_output=True, text=True, timeout=300
    )
    if done.returncode != 0:
        raise SetupError(
            f"`manage.py {' '.join(args)}` failed ({done.returncode}):\n{done.stdout}{done.stderr}"
        )


def build_catalogue() -> None:
    command = ROOT / "procedures" / "management" / "commands" / "generate_catalogue.py"
    if not command.exists():
        raise SetupError(f"{command.relative_to(ROOT)} is missing: it fills the bench catalogue.")
    manage("migrate", "--noinput", "-v0")
    manage("load_demo", "--no-admin")
    manage("generate_catalogue", "--count", str(PROCEDURE_COUNT))


# --- the server ------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


def start_gunicorn(port: int, workers: int, log: Path) -> subprocess.Popen:
    command = [
        str(BIN / "gunicorn"),
        "portal.wsgi",
        "--workers",
        str(workers),
        "--bind",
        f"{HOST}:{port}",
        "--log-level",
        "warning",
        "--graceful-timeout",
        "5",
    ]
    with log.open("wb") as out:
        # A session of its own: it is stopped by its id in ``stop_gunicorn``, not by Ctrl-C.
        return subprocess.Popen(
            command, cwd=ROOT, env=server_env(), stdout=out, stderr=out, start_new_session=True
        )


def stop_gunicorn(server: subprocess.Popen) -> None:
    if server.poll() is not None:
        return
    server.send_signal(signal.SIGTERM)  # the master stops its workers gracefully
    try:
        server.wait(timeout=15)
    except subprocess.TimeoutExpired:
        os.killpg(server.pid, signal.SIGKILL)  # the group this script created
        server.wait(timeout=5)


def _cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")  # utime + stime


def server_cpu_seconds(server: subprocess.Popen) -> float:
    """CPU time used so far by the gunicorn master and its workers (Linux; NaN elsewhere)."""
    try:
        children = Path(f"/proc/{server.pid}/task/{server.pid}/children").read_text().split()
        return sum(_cpu_seconds(pid) for pid in [server.pid, *map(int, children)])
    except (OSError, ValueError, IndexError):
        return float("nan")


def machine_busy_seconds() -> float:
    """CPU time the whole machine spent busy since boot, all cores (Linux; NaN elsewhere)."""
    try:
        fields = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    except (OSError, ValueError):
        return float("nan")
    idle = fields[3] + (fields[4] if len(fields) > 4 else 0)  # idle + iowait
    return (sum(fields[:8]) - idle) / os.sysconf("SC_CLK_TCK")  # guest time is inside user


def background_cores(seconds: float = 2.0) -> float:
    """Cores busy while this benchmark sends nothing: other people's work on the machine."""
    before = machine_busy_seconds()
    time.sleep(seconds)
    return (machine_busy_seconds() - before) / seconds


def wait_for_quiet(deadline: float) -> float:
    """Wait, until the monotonic ``deadline`` at most, for other work on the machine to calm
    down; return the last background sample (cores)."""
    background = background_cores()
    while background > BUSY_MACHINE_CORES and time.monotonic() < deadline:
        say(f"{background:.2f} cores busy with other work; waiting for a quiet machine")
        background = background_cores(5.0)
    return background


def get(port: int, path: str) -> tuple[int, float, bytes]:
    """One GET on a fresh connection (gunicorn's sync workers close it anyway): status, s, body."""
    connection = http.client.HTTPConnection(HOST, port, timeout=10)
    try:
        started = time.perf_counter()
        connection.request("GET", path)
        response = connection.getresponse()
        body = response.read()
        elapsed = time.perf_counter() - started
    finally:
        connection.close()
    return response.status, elapsed, body


def wait_healthy(server: subprocess.Popen, port: int, log: Path, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SetupError(f"gunicorn exited ({server.returncode}):\n{log.read_text()}")
        try:
            if get(port, "/healthz")[0] == 200:
                return
        except OSError:
            pass
        time.sleep(0.2)
    raise SetupError(f"/healthz did not answer 200 within {timeout:.0f} s:\n{log.read_text()}")


def warm_up(port: int) -> None:
    """Every URL of the scenarios twice (both workers, filled cache); each must answer 2xx."""
    for path in [CEILING_PATH] * 20 + (API_URLS + PAGE_URLS) * 2:
        status, _, body = get(port, path)
        if not 200 <= status < 300:
            raise SetupError(f"warm-up: {path} answered {status}: {body[:300]!r}")


# --- load ------------------------------------------------------------------------------------


def _self_cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def _children_cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


@dataclass
class Round:
    """One locust run of one scenario, as measured."""

    requests: int
    failures: int
    seconds: float  # from the first to the last request, locust's base for req/s
    response_times: dict[int, int]  # locust's histogram: rounded ms -> count
    errors: list[str]
    wall_seconds: float  # the whole locust process, start-up included
    load_seconds: float  # from locust's test start to its stop
    client_cpu: float  # locust's CPU during the load
    server_cpu: float
    other_cpu: float  # CPU of everything else on the machine, over the whole process

    @property
    def other_cores(self) -> float:
        return self.other_cpu / self.wall_seconds


def run_round(
    scenario: Scenario, seconds: int, server: subprocess.Popen, port: int, args, out_dir: Path
) -> Round:
    stats_file = out_dir / f"{scenario.user_class}.json"
    stats_file.unlink(missing_ok=True)
    command = [
        str(BIN / "locust"),
        "-f",
        str(LOCUSTFILE),
        "--headless",
        "--host",
        f"http://{HOST}:{port}",
        "--users",
        str(args.users),
        "--spawn-rate",
        "100",  # every user at once
        "--run-time",
        f"{seconds}s",
        "--stop-timeout",
        "2",
        "--only-summary",
        "--loglevel",
        "ERROR",
        scenario.user_class,
    ]
    env = {**os.environ, STATS_FILE_VARIABLE: str(stats_file)}
    client_before, server_before = _children_cpu_seconds(), server_cpu_seconds(server)
    machine_before = machine_busy_seconds()
    started = time.monotonic()
    done = subprocess.run(
        command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=seconds + 60
    )
    wall = time.monotonic() - started
    client_cpu = _children_cpu_seconds() - client_before  # locust is the only child waited for
    server_cpu = server_cpu_seconds(server) - server_before
    other_cpu = machine_busy_seconds() - machine_before - client_cpu - server_cpu
    if done.returncode not in (0, 1) or not stats_file.exists():  # 1 = some requests failed
        raise SetupError(f"locust {scenario.user_class} failed ({done.returncode}):\n{done.stderr}")
    stats = json.loads(stats_file.read_text())
    return Round(
        requests=stats["requests"],
        failures=stats["failures"],
        seconds=stats["seconds"],
        response_times={int(ms): count for ms, count in stats["response_times"].items()},
        errors=stats["errors"],
        wall_seconds=wall,
        load_seconds=stats.get("load_seconds", wall),
        client_cpu=stats.get("client_cpu", client_cpu),
        server_cpu=server_cpu,
        other_cpu=other_cpu,
    )


def percentile(response_times: dict[int, int], percent: float) -> float:
    """The response time ``percent`` of the requests finished within, computed as locust does
    (its histogram holds times rounded to 1 ms below 100 ms, to 10 ms below 1 s)."""
    total = sum(response_times.values())
    if not total:
        return float("nan")
    processed = 0
    for ms in sorted(response_times, reverse=True):
        processed += response_times[ms]
        if total - processed <= int(total * percent):
            return float(ms)
    return 0.0


def combine(scenario: Scenario, rounds: list[Round]) -> LoadResult:
    """One scenario's figures over its rounds: counts and times summed, histograms merged."""
    histogram: dict[int, int] = {}
    for r in rounds:
        for ms, count in r.response_times.items():
            histogram[ms] = histogram.get(ms, 0) + count
    requests = sum(r.requests for r in rounds)
    seconds = sum(r.seconds for r in rounds)
    wall = sum(r.wall_seconds for r in rounds)
    load = sum(r.load_seconds for r in rounds)
    server_cpu = sum(r.server_cpu for r in rounds)  # gunicorn idles outside the load
    errors = [e for r in rounds for e in r.errors]
    return LoadResult(
        key=scenario.key,
        label=scenario.label,
        requests=requests,
        failures=sum(r.failures for r in rounds),
        rps=requests / seconds if seconds else float("nan"),
        p50_ms=percentile(histogram, 0.50),
        p95_ms=percentile(histogram, 0.95),
        client_cores=sum(r.client_cpu for r in rounds) / load,
        server_cores=server_cpu / load,
        other_cores=sum(r.other_cpu for r in rounds) / wall,
        server_cpu_ms=server_cpu / requests * 1000 if requests else float("nan"),
        failure_examples=tuple(errors[:3]),
    )


def measure_load(server: subprocess.Popen, port: int, args, out_dir: Path, quiet_deadline):
    """Every scenario in turn, ``--rounds`` times, so that a change of the machine's speed
    during the run touches every scenario alike; a round that other work disturbed is run
    again (``--retries`` in all)."""
    per_round = args.seconds // args.rounds
    rounds: dict[str, list[Round]] = {s.key: [] for s in SCENARIOS}
    retries = args.retries
    for number in range(1, args.rounds + 1):
        for scenario in SCENARIOS:
            say(
                f"round {number}/{args.rounds}, {scenario.label}: "
                f"{args.users} users for {per_round} s"
            )
            result = run_round(scenario, per_round, server, port, args, out_dir)
            while result.other_cores > DISTURBED_CORES and retries > 0:
                retries -= 1
                say(
                    f"{result.other_cores:.2f} cores went to other work meanwhile; "
                    "running this round again"
                )
                wait_for_quiet(quiet_deadline)
                result = run_round(scenario, per_round, server, port, args, out_dir)
            rounds[scenario.key].append(result)
    results = [combine(scenario, rounds[scenario.key]) for scenario in SCENARIOS]
    ceiling = results[0].rps
    for r in results:
        r.ratio = r.rps / ceiling if ceiling else float("nan")
    return results


# --- uncached answers ------------------------------------------------------------------------


def _p95(values: list[float]) -> float:
    return statistics.quantiles(values, n=20, method="inclusive")[18]


def _timed(port: int, paths: list[str]) -> list[float]:
    """Milliseconds of each GET, in order; every answer must be 2xx."""
    times = []
    for path in paths:
        status, elapsed, body = get(port, path)
        if not 200 <= status < 300:
            raise SetupError(f"{path} answered {status}: {body[:300]!r}")
        times.append(elapsed * 1000)
    return times


def measure_cold(port: int, count: int) -> dict:
    """What the cache hides, timed one request at a time (no concurrency).

    * first after a flush: one request right after Redis database 14 was emptied, so it also
      rebuilds the catalogue generation and (for the page) the filter choices;
    * cold: ``count`` URLs never asked before (the scenario's queries made unique by trailing
      spaces, which the search ignores but the cache key keeps), after one flush;
    * cached: the same URLs a second time, now answered from the cache.
    """
    query, page = SEARCHES[1]
    flush_cache()
    first_api = _timed(port, [api_url(query, page)])[0]
    flush_cache()
    first_page = _timed(port, [page_url(query, page)])[0]

    def unique(build) -> list[str]:
        return [
            build(q, p, padding=1 + i // len(SEARCHES))
            for i, (q, p) in enumerate(islice(cycle(SEARCHES), count))
        ]

    flush_cache()
    ceiling = _timed(port, [CEILING_PATH] * count)
    api_paths, page_paths = unique(api_url), unique(page_url)
    cold_api, cold_page = _timed(port, api_paths), _timed(port, page_paths)
    warm_api, warm_page = _timed(port, api_paths), _timed(port, page_paths)

    def summary(first: float | None, cold: list[float], warm: list[float]) -> dict:
        return {
            "first_after_flush_ms": first,
            "cold_p50_ms": statistics.median(cold),
            "cold_p95_ms": _p95(cold),
            "cached_p50_ms": statistics.median(warm),
            "cached_p95_ms": _p95(warm),
        }

    return {
        "requests": count,
        "c": summary(None, ceiling, ceiling),
        "a": summary(first_api, cold_api, warm_api),
        "b": summary(first_page, cold_page, warm_page),
    }


# --- report ----------------------------------------------------------------------------------


def machine() -> dict:
    memory_kib = 0
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                memory_kib = int(line.split()[1])
    except OSError:
        pass
    return {
        "cores": os.cpu_count(),
        "memory_gib": round(memory_kib / 1024**2, 1),
        "cpu": _cpu_model(),
        "python": platform.python_version(),
    }


def code_version() -> str:
    """The commit measured, and whether the working tree differed from it."""
    try:
        commit = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "status", "--porcelain", "--untracked-files=no"],
            cwd=ROOT,
            capture_output=True,
            text=True,
        ).stdout.strip()
    except OSError:
        return "unknown (no git)"
    if not commit:
        return "unknown (not a git checkout)"
    return commit + (" with uncommitted changes" if dirty else "")


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def print_load_table(results: list[LoadResult]) -> None:
    header = (
        f"{'scenario':<26} {'requests':>8} {'fail':>5} {'req/s':>8} "
        f"{'p50 ms':>7} {'p95 ms':>7} {'ratio':>6}  verdict"
    )
    print(header)
    print("-" * len(header))
    for r in results:
        print(
            f"{r.label:<26} {r.requests:>8} {r.failures:>5} {r.rps:>8.1f} "
            f"{r.p50_ms:>7.0f} {r.p95_ms:>7.0f} {r.ratio:>6.2f}  {r.verdict()}"
        )
        for example in r.failure_examples:
            print(f"    failure: {example}")


def print_cpu_table(results: list[LoadResult]) -> None:
    print("Where the CPU went (cores busy on average while each scenario ran):")
    header = (
        f"{'scenario':<26} {'client':>6} {'gunicorn':>8} {'other':>6} "
        f"{'gunicorn CPU ms/request':>23} {'× ceiling':>9}"
    )
    print(header)
    print("-" * len(header))
    ceiling = results[0].server_cpu_ms
    for r in results:
        print(
            f"{r.label:<26} {r.client_cores:>6.2f} {r.server_cores:>8.2f} "
            f"{max(r.other_cores, 0.0):>6.2f} "  # a hair below 0 is rounding of the clocks
            f"{r.server_cpu_ms:>23.2f} {r.server_cpu_ms / ceiling:>9.1f}"
        )
    print(
        "(other = Redis, PostgreSQL, the kernel's share not charged to a process, and anything"
        " else running on the machine: if it is high, the run was disturbed)"
    )


def print_cold_table(cold: dict) -> None:
    n = cold["requests"]
    print(f"Uncached answers, one request at a time ({n} unique URLs per scenario, after a flush):")
    header = (
        f"{'scenario':<26} {'first after flush':>17} {'cold p50':>9} {'cold p95':>9} "
        f"{'cached p50':>10} {'cached p95':>10}"
    )
    print(header)
    print("-" * len(header))
    for scenario in SCENARIOS:
        s = cold[scenario.key]
        first = "—" if s["first_after_flush_ms"] is None else f"{s['first_after_flush_ms']:.1f}"
        print(
            f"{scenario.label:<26} {first:>17} {s['cold_p50_ms']:>9.1f} {s['cold_p95_ms']:>9.1f} "
            f"{s['cached_p50_ms']:>10.1f} {s['cached_p95_ms']:>10.1f}"
        )
    print("(milliseconds; the ceiling has no cache, its row is the same requests both times)")
    print(
        f"(meanwhile {cold['other_cores']:.2f} cores busy outside gunicorn and this script:"
        " PostgreSQL answering the cold queries, plus any other work on the machine)"
    )


def _no_nan(value):
    if isinstance(value, float) and value != value:
        return None  # not measurable here (no /proc): JSON has no NaN
    if isinstance(value, dict):
        return {k: _no_nan(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_no_nan(v) for v in value]
    return value


def save(report: dict) -> Path:
    RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    path = RESULTS_DIR / f"catalogue-{datetime.now():%Y%m%d-%H%M%S}.json"
    path.write_text(json.dumps(_no_nan(report), indent=2, ensure_ascii=False) + "\n")
    return path


# --- main ------------------------------------------------------------------------------------


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n", 1)[0])
    parser.add_argument(
        "--seconds", type=int, default=15, help="load per scenario, in all rounds (default 15)"
    )
    parser.add_argument(
        "--rounds", type=int, default=3, help="scenarios are interleaved in rounds (default 3)"
    )
    parser.add_argument("--users", type=int, default=8, help="concurrent users (default 8)")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers (default 2)")
    parser.add_argument(
        "--cold-requests", type=int, default=50, help="uncached requests per scenario (50)"
    )
    parser.add_argument(
        "--wait-quiet",
        type=float,
        default=60,
        help="seconds, in all, to wait for other work on the machine to stop (default 60)",
    )
    parser.add_argument(
        "--retries",
        type=int,
        default=2,
        help="rounds measured again when other work disturbed them, in all (default 2)",
    )
    parser.add_argument(
        "--keep-db", action="store_true", help=f"keep the {DB_NAME} database and its cache"
    )
    args = parser.parse_args(argv)
    if not 1 <= args.rounds <= 10 or not 3 * args.rounds <= args.seconds <= 300:
        parser.error("--rounds must be 1–10 and --seconds 3 × rounds to 300")
    if not 1 <= args.users <= 100 or args.workers < 1:
        parser.error("--users must be 1–100, --workers at least 1")
    if not 2 <= args.cold_requests <= 1000:
        parser.error("--cold-requests must be 2–1000")
    if not 0 <= args.retries <= 10:
        parser.error("--retries must be 0–10")
    if not 0 <= args.wait_quiet <= 600:
        parser.error("--wait-quiet must be 0–600 seconds")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    signal.signal(signal.SIGTERM, _interrupt)
    started = time.monotonic()
    server = None
    database_created = False
    try:
        with tempfile.TemporaryDirectory(prefix="bench-catalogue-") as tmp:
            out_dir = Path(tmp)
            say(f"creating {DB_NAME}: demo catalogue + {PROCEDURE_COUNT} generated procedures")
            database_created = True
            create_database()
            flush_cache()
            build_catalogue()
            published, pg_version = bench_db_facts()

            port = free_port()
            log = out_dir / "gunicorn.log"
            say(f"starting gunicorn ({args.workers} workers) on {HOST}:{port}")
            server = start_gunicorn(port, args.workers, log)
            wait_healthy(server, port, log)
            warm_up(port)
            quiet_deadline = time.monotonic() + args.wait_quiet  # one budget for the whole run
            background = wait_for_quiet(quiet_deadline)
            if background > BUSY_MACHINE_CORES:
                say(
                    f"warning: {background:.2f} cores busy with other work before the run; "
                    "the figures will be noisy (run on a quiet machine)"
                )

            results = measure_load(server, port, args, out_dir, quiet_deadline)

            say(f"timing uncached answers ({args.cold_requests} per scenario)")
            wait_for_quiet(quiet_deadline)
            busy_before, server_before = machine_busy_seconds(), server_cpu_seconds(server)
            self_before, cold_started = _self_cpu_seconds(), time.monotonic()
            cold = measure_cold(port, args.cold_requests)
            cold["other_cores"] = (
                machine_busy_seconds()
                - busy_before
                - (server_cpu_seconds(server) - server_before)
                - (_self_cpu_seconds() - self_before)
            ) / (time.monotonic() - cold_started)
            if server.poll() is not None:
                raise SetupError(f"gunicorn died during the run:\n{log.read_text()}")

        facts = machine()
        version = code_version()
        print()
        print(
            f"Catalogue benchmark — {datetime.now():%Y-%m-%d %H:%M} — {facts['cores']} cores, "
            f"{facts['memory_gib']} GiB ({facts['cpu']}), shared by server and load client"
        )
        print(
            f"PostgreSQL {pg_version}, {published} published procedures, Redis cache; "
            f"gunicorn {args.workers} sync workers; locust FastHttpUser, {args.users} users, "
            f"{args.seconds} s per scenario in {args.rounds} interleaved rounds, no think time"
        )
        print(f"Code: {version}. Background load just before the run: {background:.2f} cores busy")
        print()
        print_load_table(results)
        print(
            f"Targets for (a) and (b): req/s >= {TARGET_RATIO:.2f} × ceiling (same run), "
            f"p95 < {TARGET_P95_MS:.0f} ms."
        )
        print()
        print_cpu_table(results)
        print()
        print_cold_table(cold)
        path = save(
            {
                "date": datetime.now().isoformat(timespec="seconds"),
                "machine": facts,
                "code": version,
                "postgresql": pg_version,
                "background_cores": background,
                "published_procedures": published,
                "args": vars(args),
                "load": [
                    asdict(r) | {"verdict": r.verdict(), "disturbed": r.disturbed} for r in results
                ],
                "uncached": cold,
            }
        )
        print()
        print(
            f"Whole run {time.monotonic() - started:.0f} s; figures saved to "
            f"{path.relative_to(ROOT)}"
        )
        failing = [r for r in results if r.failure_rate > MAX_FAILURE_RATE]
        for r in failing:
            print(f"{r.label}: {r.failure_rate:.1%} failures (more than {MAX_FAILURE_RATE:.0%})")
        return 1 if failing else 0
    except SetupError as error:
        print(f"bench: {error}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("bench: interrupted", file=sys.stderr)
        return 130
    finally:
        if server is not None:
            stop_gunicorn(server)
        if database_created and not args.keep_db:
            try:
                drop_database()
                flush_cache()
                say(f"dropped {DB_NAME} and emptied Redis database 14")
            except (psycopg2.Error, redis.RedisError) as error:
                print(f"bench: could not clean up {DB_NAME} / Redis 14: {error}", file=sys.stderr)


if __name__ == "__main__":
    sys.exit(main())
