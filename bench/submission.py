"""Dossier submission benchmark (issue #3): a draft, three 1 MiB PDF papers and the submit, through
the citizen API, on PostgreSQL, under concurrent clients, against a bare Django view.

Run ``.venv/bin/python bench/submission.py`` (``--help`` for the options). In one run it

1. creates the PostgreSQL database ``portal_bench_submit`` on 127.0.0.1 (dropped first if it
   exists), migrates it, loads the demo catalogue and ``--accounts`` citizen accounts (one password
   hash for all), and writes three different 1 MiB files that are PDFs by their content;
2. starts gunicorn (``portal.wsgi``, 2 sync workers, never recycled, production settings, Redis
   database 13, uploads written to a temporary MEDIA_ROOT) on a free port of 127.0.0.1;
3. logs every client in once (allauth app API: a session token; Redis database 13, which holds
   allauth's 30-logins-a-minute counter, is emptied every 25 log-ins), submits once by hand (a
   set-up mistake stops the run with the server's answer), warms both workers up and waits (up to
   ``--wait-quiet`` s) for other work on the machine to stop;
4. times ``--solo-flows`` submissions by one client alone (the service time of each request),
   then drives ``--clients`` threads (stdlib ``http.client``, no think time): (c) ``/bench/ok``
   for ``--ceiling-seconds``, the ceiling; then the submission loop for ``--seconds``: create a
   draft, upload three papers (multipart ``document`` + ``file``), submit. A client stops at the
   deadline, between two requests: the flow it was in is left as a draft. A phase during which
   other work took CPU is measured again (``--retries``). The client shares the machine's cores
   with the server and PostgreSQL; its CPU is printed (about 0.05 cores while submitting);
5. samples the resident memory of each gunicorn worker every 100 ms and reads the kernel's high
   water mark (``VmHWM``) at the end;
6. prints count, req/s, p50/p95/p99 of each request and of the whole submission, req/s as a ratio
   of the ceiling measured in the same run, the peak memory of each worker, PASS/FAIL against the
   targets (p95 of every API request < 300 ms, peak worker memory < 150 MiB), and checks the
   database: one submitted dossier per successful submit, distinct codes, every file on disk;
7. stops gunicorn, drops the database, empties Redis database 13 and deletes the uploaded files
   (``--keep-db`` keeps the database and the files), also on errors and Ctrl-C.

Traffic goes to 127.0.0.1 only; every phase is bounded in time or count. The exit status is 0
whatever the figures (it is a measurement), 1 when more than 1 % of the requests failed or a check
of the database did not hold, 2 when the set-up failed. Figures are also written as JSON to
``bench/results/`` (ignored by git).
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from datetime import datetime
from pathlib import Path

import psycopg2
import redis

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

# The catalogue benchmark's helpers for the machine and the server (not edited here).
from bench.catalogue import (  # noqa: E402
    BUSY_MACHINE_CORES,
    free_port,
    machine,
    machine_busy_seconds,
    server_cpu_seconds,
    stop_gunicorn,
    wait_for_quiet,
)
from portal.pdf import stream, text_page  # noqa: E402

BIN = Path(sys.executable).parent
RESULTS_DIR = ROOT / "bench" / "results"

HOST = "127.0.0.1"
DB_NAME = "portal_bench_submit"
ADMIN_DSN = {"host": HOST, "port": 5432, "user": "postgres", "dbname": "postgres"}
REDIS_URL = f"redis://{HOST}:6379/13"

PROCEDURE = "1.001193"  # Đăng ký khai sinh: three paper slots, all accepting PDF up to 10 MB
PAPERS = 3
PAPER_BYTES = 1024 * 1024
PASSWORD = "Mat-khau-bench-2026"  # noqa: S105  (throw-away accounts of a throw-away database)
LOGIN_BATCH = 25  # allauth allows 30 logins a minute per IP; Redis 13 is emptied between batches

TARGET_P95_MS = 300.0  # each API request of the submission
TARGET_PEAK_MIB = 150.0  # each gunicorn worker
MAX_FAILURE_RATE = 0.01
# CPU taken by anything but the client, gunicorn, PostgreSQL and Redis while a phase runs, above
# which the phase is measured again.
DISTURBED_CORES = 0.30
SOLO_CEILING = 50  # requests to /bench/ok by the lone client
SOLO_SECONDS = 60  # at most, for the lone client's submissions
REQUEST_TIMEOUT = 30.0  # s, a client's socket timeout (gunicorn's worker timeout is 30 s too)

CEILING_PATH = "/bench/ok"
LOGIN_PATH = "/_allauth/app/v1/auth/login"
DOSSIERS_PATH = "/api/v1/dossiers/"

SERVER_ENV = {
    "PORTAL_ENV": "production",
    "PORTAL_BASE_URL": "http://127.0.0.1:8000",
    "DJANGO_SECRET_KEY": "bench-only-not-a-secret-key-submission-benchmark-0123456789",
    "DJANGO_ALLOWED_HOSTS": HOST,
    "DJANGO_DEBUG": "0",
    "DATABASE_URL": f"postgres://postgres@{HOST}:5432/{DB_NAME}",
    "DATABASE_CONN_MAX_AGE": "60",
    "REDIS_URL": REDIS_URL,
    "CELERY_BROKER_URL": "memory://",
    "STATIC_MANIFEST": "0",
    "SECURE_SSL_REDIRECT": "0",
    "LOG_LEVEL": "WARNING",
    "LOOKUP_THROTTLE_RATE": "100000/minute",
}

# Request kinds, in the order of the flow, with their labels.
KINDS = {
    "ceiling": f"(c) ceiling GET {CEILING_PATH}",
    "create": "create draft POST /dossiers/",
    "upload": "upload 1 MiB PDF …/attachments/",
    "submit": "submit POST …/submit/",
}
FLOW_KINDS = ("create", "upload", "submit")


class SetupError(Exception):
    """The benchmark could not be set up; the message says why."""


def _interrupt(signum, frame):
    raise KeyboardInterrupt(f"signal {signum}")


def say(message: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {message}", flush=True)


# --- database, cache, accounts and papers ----------------------------------------------------


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


def query(sql: str, params: tuple = ()) -> list[tuple]:
    connection = psycopg2.connect(**{**ADMIN_DSN, "dbname": DB_NAME})
    try:
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            return cursor.fetchall()
    finally:
        connection.close()


def flush_cache() -> None:
    """Empty Redis database 13, the bench server's cache (and allauth's login counters)."""
    client = redis.Redis.from_url(REDIS_URL)
    try:
        client.flushdb()
    finally:
        client.close()


def server_env(media_root: Path) -> dict[str, str]:
    return {**os.environ, **SERVER_ENV, "MEDIA_ROOT": str(media_root)}


def manage(env: dict[str, str], *args: str) -> str:
    done = subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    if done.returncode != 0:
        raise SetupError(
            f"`manage.py {' '.join(args[:2])}` failed ({done.returncode}):\n"
            f"{done.stdout}{done.stderr}"
        )
    return done.stdout


CREATE_ACCOUNTS = """
from django.contrib.auth.hashers import make_password
from accounts.constants import Role
from accounts.models import User
password = make_password({password!r})  # one PBKDF2 hash for all: hashing each takes ~0.3 s
User.objects.bulk_create(
    User(email=f"bench-{{n}}@example.vn", full_name=f"Người thử {{n}}", role=Role.CITIZEN,
         password=password)
    for n in range({count})
)
print(User.objects.filter(role=Role.CITIZEN, email__startswith="bench-").count())
"""


def build_database(env: dict[str, str], accounts: int) -> None:
    manage(env, "migrate", "--noinput", "-v0")
    manage(env, "load_demo", "--no-admin")
    created = manage(
        env,
        "shell",
        "--no-imports",
        "-c",
        CREATE_ACCOUNTS.format(password=PASSWORD, count=accounts),
    ).strip()
    if created != str(accounts):
        raise SetupError(f"expected {accounts} bench accounts, the database has {created!r}")


def account_email(n: int) -> str:
    return f"bench-{n}@example.vn"


def pdf_paper(index: int, size: int = PAPER_BYTES) -> bytes:
    """A one-page PDF of exactly ``size`` bytes, different for each ``index``: a visible line of
    text, and an unreferenced stream of random bytes that stands for the weight of a scan."""
    text = f"BT /F1 24 Tf 72 760 Td (Giay to thu nghiem so {index + 1}) Tj ET".encode()
    padding_source = random.Random(index).randbytes(size)

    def build(padding: int) -> bytes:
        return text_page(
            text, stream(padding_source[:padding]), header=b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n"
        )

    padding = max(0, size - len(build(0)))
    for _ in range(5):  # the digits of /Length and startxref move the size a little
        paper = build(padding)
        if len(paper) == size:
            return paper
        padding += size - len(paper)
    raise SetupError(f"could not build a PDF of exactly {size} bytes")


def multipart(fields: dict[str, str], filename: str, content: bytes) -> tuple[bytes, str]:
    """A multipart/form-data body with ``fields`` and one PDF ``file``, and its content type."""
    boundary = f"bench-{uuid.uuid4().hex}"
    body = bytearray()
    for name, value in fields.items():
        body += (
            f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'
        ).encode()
    body += (
        f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="{filename}"\r\n'
        "Content-Type: application/pdf\r\n\r\n"
    ).encode()
    body += content + f"\r\n--{boundary}--\r\n".encode()
    return bytes(body), f"multipart/form-data; boundary={boundary}"


# --- what the flow sends ---------------------------------------------------------------------

SAMPLE_VALUES = {
    "text": "Nguyễn Thị Bình",
    "address": "12 Lê Lợi, phường Thuận Hóa, thành phố Huế",
    "date": "2026-11-01",
    "cccd": "046195012345",  # Thừa Thiên Huế, a woman born in 1995
    "phone": "0912345678",
    "email": "nguoidan@example.vn",
    "number": "1",
    "checkbox": True,
}


@dataclass(frozen=True)
class Flow:
    """The request bodies of one submission, built once and sent by every client."""

    create_body: bytes
    uploads: tuple[tuple[bytes, str], ...]  # (body, content type) per paper


def build_flow(paper_dir: Path) -> Flow:
    """Valid form data for every field of the procedure's current version and three papers on
    the first slots accepting PDF (required slots first); every required slot must be covered."""
    rows = query(
        "SELECT v.snapshot FROM procedures_procedureversion v "
        "JOIN procedures_procedure p ON p.id = v.procedure_id "
        "WHERE p.code = %s AND p.published ORDER BY v.number DESC LIMIT 1",
        (PROCEDURE,),
    )
    if not rows:
        raise SetupError(f"procedure {PROCEDURE} is not published in {DB_NAME}")
    snapshot = rows[0][0]
    form_data = {}
    for form_field in snapshot["form_fields"]:
        kind = form_field["field_type"]
        if kind == "choice":
            choices = form_field["choices"]
            choices = choices.splitlines() if isinstance(choices, str) else choices
            form_data[form_field["key"]] = choices[0]
        elif kind in SAMPLE_VALUES:
            form_data[form_field["key"]] = SAMPLE_VALUES[kind]
        else:
            raise SetupError(f"no sample value for the field type {kind!r}")
    documents = snapshot["required_documents"]
    pdf_slots = [
        d
        for d in documents
        if "pdf" in d["accepted_types"] and d["max_size_mb"] * 1024 * 1024 >= PAPER_BYTES
    ]
    pdf_slots.sort(key=lambda d: not d["required"])  # stable: required first, in form order
    slots = pdf_slots[:PAPERS]
    uncovered = [d["name"] for d in documents if d["required"] and d not in slots]
    if len(slots) < PAPERS or uncovered:
        raise SetupError(
            f"{PROCEDURE} needs {PAPERS} slots accepting a 1 MiB PDF that cover every required "
            f"paper; it has {len(pdf_slots)} (uncovered: {uncovered})"
        )
    uploads = []
    for index, slot in enumerate(slots):
        paper = pdf_paper(index)
        (paper_dir / f"giay-to-{index + 1}.pdf").write_bytes(paper)
        uploads.append(multipart({"document": str(slot["id"])}, f"giay-to-{index + 1}.pdf", paper))
    body = {"procedure": PROCEDURE, "form_data": form_data, "delivery": "online"}
    return Flow(
        create_body=json.dumps(body, ensure_ascii=False).encode(),
        uploads=tuple(uploads),
    )


# --- the client ------------------------------------------------------------------------------


def call(
    port: int, method: str, path: str, body: bytes | None = None, headers: dict | None = None
) -> tuple[int, float, bytes]:
    """One request on a fresh connection (gunicorn's sync workers close it after each answer):
    status (0 when the connection failed), milliseconds, body."""
    connection = http.client.HTTPConnection(HOST, port, timeout=REQUEST_TIMEOUT)
    started = time.perf_counter()
    try:
        connection.request(method, path, body=body, headers=headers or {})
        response = connection.getresponse()
        data = response.read()
        status = response.status
    except OSError as error:
        status, data = 0, f"{type(error).__name__}: {error}".encode()
    finally:
        connection.close()
    return status, (time.perf_counter() - started) * 1000, data


@dataclass
class Sample:
    kind: str
    ms: float
    ok: bool


@dataclass
class PhaseLog:
    """What the clients of one phase saw; written by many threads."""

    samples: list[Sample] = field(default_factory=list)
    flows_ms: list[float] = field(default_factory=list)  # completed submissions
    codes: list[str] = field(default_factory=list)  # the dossier codes they got
    errors: Counter = field(default_factory=Counter)
    abandoned: int = 0  # flows cut by the deadline (left as drafts)
    broken: int = 0  # flows stopped by a failed request
    lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def record(self, kind: str, status: int, ms: float, data: bytes, expected: int) -> bool:
        ok = status == expected
        with self.lock:
            self.samples.append(Sample(kind, ms, ok))
            if not ok:
                self.errors[f"{kind}: HTTP {status} {data[:300].decode(errors='replace')}"] += 1
                self.broken += 1
        return ok

    def error(self, message: str) -> None:
        with self.lock:
            self.errors[message] += 1

    def cut(self) -> None:
        with self.lock:
            self.abandoned += 1

    def done(self, ms: float, code: str) -> None:
        with self.lock:
            self.flows_ms.append(ms)
            self.codes.append(code)


def ceiling_client(port: int, log: PhaseLog, deadline: float) -> None:
    while time.monotonic() < deadline:
        status, ms, data = call(port, "GET", CEILING_PATH)
        log.record("ceiling", status, ms, data, 200)


def one_flow(port: int, token: str, flow: Flow, log: PhaseLog, deadline: float | None) -> None:
    """Create a draft, upload the papers, submit; stops between two requests at the deadline,
    and at the first failure (the dossier stays a draft)."""
    auth = {"X-Session-Token": token}
    started = time.perf_counter()
    headers = {**auth, "Content-Type": "application/json"}
    status, ms, data = call(port, "POST", DOSSIERS_PATH, flow.create_body, headers)
    if not log.record("create", status, ms, data, 201):
        return
    try:
        dossier = json.loads(data)
        path = f"{DOSSIERS_PATH}{dossier['id']}/"
    except (ValueError, KeyError):
        log.error(f"create: unexpected answer {data[:300]!r}")
        return
    if dossier.get("form_errors"):
        log.error(f"create: form errors {dossier['form_errors']}")
    requests = [
        ("upload", f"{path}attachments/", body, {**auth, "Content-Type": content_type}, 201)
        for body, content_type in flow.uploads
    ]
    requests.append(("submit", f"{path}submit/", b"", auth, 200))
    for kind, url, body, headers, expected in requests:
        if deadline is not None and time.monotonic() >= deadline:
            log.cut()
            return
        status, ms, data = call(port, "POST", url, body, headers)
        if not log.record(kind, status, ms, data, expected):
            return
    try:
        code = json.loads(data)["code"]
    except (ValueError, KeyError):
        log.error(f"submit: unexpected answer {data[:300]!r}")
        return
    log.done((time.perf_counter() - started) * 1000, code)


def submission_client(port: int, token: str, flow: Flow, log: PhaseLog, deadline: float) -> None:
    while time.monotonic() < deadline:
        one_flow(port, token, flow, log, deadline)


def log_in(port: int, clients: int) -> tuple[list[str], list[float]]:
    """One session token per client (accounts bench-0 … bench-<clients-1>), and the times."""
    tokens: list[str] = []
    times: list[float] = []

    def one(n: int) -> tuple[str, float]:
        body = json.dumps({"email": account_email(n), "password": PASSWORD}).encode()
        status, ms, data = call(
            port, "POST", LOGIN_PATH, body, {"Content-Type": "application/json"}
        )
        if status != 200:
            raise SetupError(f"login of {account_email(n)} answered {status}: {data[:300]!r}")
        return json.loads(data)["meta"]["session_token"], ms

    with ThreadPoolExecutor(max_workers=4) as pool:
        for batch in range(0, clients, LOGIN_BATCH):
            flush_cache()  # the bench's own Redis database: allauth's per-IP login counter
            for token, ms in pool.map(one, range(batch, min(batch + LOGIN_BATCH, clients))):
                tokens.append(token)
                times.append(ms)
    return tokens, times


# --- processes: CPU and memory ---------------------------------------------------------------


def named_cpu(names: frozenset[str] = frozenset({"postgres", "redis-server"})) -> dict[int, float]:
    """CPU time (s) used so far by each process with one of these names (PostgreSQL, Redis)."""
    used = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            head, tail = (entry / "stat").read_text().rsplit(")", 1)
        except (OSError, ValueError):
            continue  # gone meanwhile
        if head.split("(", 1)[-1] in names:
            fields = tail.split()
            used[int(entry.name)] = (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    return used


def named_cpu_since(before: dict[int, float]) -> float:
    """CPU time used by those processes since ``before``; processes that ended meanwhile are
    missed (their time shows as "other")."""
    return sum(max(0.0, cpu - before.get(pid, 0.0)) for pid, cpu in named_cpu().items())


def worker_pids(master: int) -> list[int]:
    try:
        return [int(p) for p in Path(f"/proc/{master}/task/{master}/children").read_text().split()]
    except (OSError, ValueError):
        return []


def status_kib(pid: int, key: str) -> int | None:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith(key + ":"):
                return int(line.split()[1])
    except (OSError, ValueError, IndexError):
        pass
    return None


class MemorySampler(threading.Thread):
    """Resident memory (VmRSS) of each gunicorn worker every ``interval`` s, peak per phase."""

    def __init__(self, master: int, interval: float = 0.1):
        super().__init__(daemon=True, name="memory-sampler")
        self.master = master
        self.interval = interval
        self.phase = "start"
        self.peaks: dict[str, dict[int, int]] = {}  # phase -> pid -> KiB
        self.pids: list[int] = []  # every worker seen, in order
        self.samples = 0
        self._done = threading.Event()

    def run(self) -> None:
        while not self._done.wait(self.interval):
            self.sample()

    def sample(self) -> None:
        peaks = self.peaks.setdefault(self.phase, {})
        for pid in worker_pids(self.master):
            rss = status_kib(pid, "VmRSS")
            if rss is None:
                continue
            if pid not in self.pids:
                self.pids.append(pid)
            peaks[pid] = max(peaks.get(pid, 0), rss)
        self.samples += 1

    def stop(self) -> dict[int, int | None]:
        """Stop sampling; the kernel's high water mark of each worker seen (KiB; None: gone)."""
        self._done.set()
        self.join(timeout=5)
        self.sample()
        return {pid: status_kib(pid, "VmHWM") for pid in self.pids}


# --- phases ----------------------------------------------------------------------------------


@dataclass
class Phase:
    name: str
    clients: int
    seconds: float  # from the start of every client to the end of the last one
    log: PhaseLog
    client_cores: float
    server_cores: float
    services_cores: float  # PostgreSQL and Redis
    other_cores: float
    server_cpu_s: float

    @property
    def disturbed(self) -> bool:
        return self.other_cores > DISTURBED_CORES


def run_phase(name: str, clients: int, seconds: float, target, server: subprocess.Popen) -> Phase:
    """Run ``target(index, log, deadline)`` in ``clients`` threads that start together."""
    log = PhaseLog()
    clock: dict[str, float] = {}

    def start() -> None:  # run by the barrier before it releases anyone
        clock["start"] = time.monotonic()
        clock["deadline"] = clock["start"] + seconds

    barrier = threading.Barrier(clients, action=start)

    def body(index: int) -> None:
        barrier.wait()
        target(index, log, clock["deadline"])

    threads = [
        threading.Thread(target=body, args=(i,), daemon=True, name=f"client-{i}")
        for i in range(clients)
    ]
    client_before, server_before = time.process_time(), server_cpu_seconds(server)
    services_before, machine_before = named_cpu(), machine_busy_seconds()
    for thread in threads:
        thread.start()
    limit = time.monotonic() + seconds + REQUEST_TIMEOUT * 2 + 10
    for thread in threads:
        thread.join(timeout=max(0.1, limit - time.monotonic()))
    if any(thread.is_alive() for thread in threads):
        raise SetupError(f"{name}: clients still running {REQUEST_TIMEOUT * 2:.0f} s after the end")
    elapsed = time.monotonic() - clock["start"]
    client = time.process_time() - client_before
    server_cpu = server_cpu_seconds(server) - server_before
    services = named_cpu_since(services_before)
    busy = machine_busy_seconds() - machine_before
    return Phase(
        name=name,
        clients=clients,
        seconds=elapsed,
        log=log,
        client_cores=client / elapsed,
        server_cores=server_cpu / elapsed,
        services_cores=services / elapsed,
        other_cores=(busy - client - server_cpu - services) / elapsed,
        server_cpu_s=server_cpu,
    )


# --- figures ---------------------------------------------------------------------------------


def percentile(values: list[float], q: float) -> float:
    """Linear interpolation between the closest ranks (numpy's default); NaN when empty."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    rank = (len(ordered) - 1) * q / 100
    low = int(rank)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)


@dataclass
class Row:
    label: str
    count: int
    failures: int
    rps: float
    p50: float
    p95: float
    p99: float
    max: float
    ratio: float = float("nan")
    verdict: str = ""


def row(label: str, times: list[float], failures: int, seconds: float) -> Row:
    return Row(
        label=label,
        count=len(times),
        failures=failures,
        rps=len(times) / seconds if seconds else float("nan"),
        p50=percentile(times, 50),
        p95=percentile(times, 95),
        p99=percentile(times, 99),
        max=max(times) if times else float("nan"),
    )


def rows_of(phase: Phase, kinds: tuple[str, ...]) -> dict[str, Row]:
    """One row per request kind, plus ``all`` (every request of the phase)."""
    result = {}
    for kind in kinds:
        samples = [s for s in phase.log.samples if s.kind == kind]
        times = [s.ms for s in samples]
        result[kind] = row(KINDS[kind], times, sum(not s.ok for s in samples), phase.seconds)
    samples = phase.log.samples
    result["all"] = row(
        "all submission API requests",
        [s.ms for s in samples],
        sum(not s.ok for s in samples),
        phase.seconds,
    )
    return result


def p95_verdict(p95: float) -> str:
    return "PASS" if p95 < TARGET_P95_MS else f"FAIL (p95 {p95 / TARGET_P95_MS:.2f}× the target)"


def _f(value: float, digits: int = 0) -> str:
    return "—" if value != value else f"{value:.{digits}f}"


def print_load_table(rows: list[Row]) -> None:
    header = (
        f"{'request':<34} {'count':>6} {'fail':>5} {'req/s':>7} {'ratio':>6} {'p50 ms':>7} "
        f"{'p95 ms':>7} {'p99 ms':>7} {'max ms':>7}  verdict"
    )
    print(header)
    print("-" * len(header))
    for r in rows:
        print(
            f"{r.label:<34} {r.count:>6} {r.failures:>5} {_f(r.rps, 1):>7} {_f(r.ratio, 3):>6} "
            f"{_f(r.p50):>7} {_f(r.p95):>7} {_f(r.p99):>7} {_f(r.max):>7}  {r.verdict}"
        )


def mib(kib: int | None) -> float:
    return float("nan") if kib is None else kib / 1024


# --- main ------------------------------------------------------------------------------------


def start_gunicorn(port: int, workers: int, env: dict[str, str], log: Path) -> subprocess.Popen:
    command = [
        str(BIN / "gunicorn"),
        "portal.wsgi",
        "--workers",
        str(workers),
        "--worker-class",
        "sync",
        "--max-requests",
        "0",  # never recycled: the memory of a worker is that of the whole run
        "--bind",
        f"{HOST}:{port}",
        "--log-level",
        "warning",
        "--graceful-timeout",
        "5",
    ]
    with log.open("wb") as out:
        # A session of its own: stopped by its id in ``stop_gunicorn``, not by Ctrl-C.
        return subprocess.Popen(
            command, cwd=ROOT, env=env, stdout=out, stderr=out, start_new_session=True
        )


def wait_healthy(server: subprocess.Popen, port: int, log: Path, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SetupError(f"gunicorn exited ({server.returncode}):\n{log.read_text()}")
        if call(port, "GET", "/healthz")[0] == 200:
            return
        time.sleep(0.2)
    raise SetupError(f"/healthz did not answer 200 within {timeout:.0f} s:\n{log.read_text()}")


def verify(logs: list[PhaseLog], media_root: Path) -> list[tuple[str, object, object]]:
    """(check, expected, found) for what the database and the disk must hold after the run."""
    codes = [code for log in logs for code in log.codes]
    uploads = sum(s.ok for log in logs for s in log.samples if s.kind == "upload")
    creates = sum(s.ok for log in logs for s in log.samples if s.kind == "create")
    submitted, drafts, with_code, distinct = query(
        "SELECT count(*) FILTER (WHERE status = 1), count(*) FILTER (WHERE status = 0), "
        "count(code), count(DISTINCT code) FROM dossiers_dossier"
    )[0]
    db_codes = {
        code for (code,) in query("SELECT code FROM dossiers_dossier WHERE code IS NOT NULL")
    }
    papers_of_submitted = query(
        "SELECT count(*) FROM dossiers_attachment a JOIN dossiers_dossier d "
        "ON d.id = a.dossier_id WHERE d.status = 1 AND a.superseded_at IS NULL"
    )[0][0]
    stored, stored_bytes = query(
        "SELECT count(*), coalesce(sum(size), 0) FROM dossiers_storeddocument"
    )[0]
    sequence = query("SELECT coalesce(sum(last), 0) FROM dossiers_dailysequence")[0][0]
    files = [p for p in (media_root / "papers").rglob("*") if p.is_file()]
    return [
        ("submitted dossiers = successful submits", len(codes), submitted),
        ("distinct codes = submitted dossiers", submitted, distinct),
        ("codes in the database = codes the clients got", sorted(codes), sorted(db_codes)),
        ("daily sequence(s) = submitted dossiers (no gap)", submitted, sequence),
        ("drafts left = drafts never submitted", creates - len(codes), drafts),
        ("dossiers with a code = submitted dossiers", submitted, with_code),
        (f"papers of submitted dossiers = {PAPERS} × submitted", PAPERS * submitted,
         papers_of_submitted),
        ("stored documents = successful uploads", uploads, stored),
        ("bytes stored = uploads × 1 MiB", uploads * PAPER_BYTES, stored_bytes),
        ("files on disk = stored documents", stored, len(files)),
        ("bytes on disk = bytes stored", stored_bytes, sum(p.stat().st_size for p in files)),
    ]  # fmt: skip


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n", 1)[0])
    parser.add_argument("--clients", type=int, default=20, help="concurrent clients (default 20)")
    parser.add_argument(
        "--seconds", type=int, default=30, help="submission phase, seconds (default 30)"
    )
    parser.add_argument(
        "--ceiling-seconds", type=int, default=5, help="ceiling phase, seconds (default 5)"
    )
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers (default 2)")
    parser.add_argument(
        "--accounts", type=int, default=200, help="citizen accounts created (default 200)"
    )
    parser.add_argument(
        "--solo-flows",
        type=int,
        default=10,
        help="submissions timed with one client alone, the service time (default 10)",
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
        default=1,
        help="phases measured again when other work disturbed them (default 1)",
    )
    parser.add_argument(
        "--keep-db",
        action="store_true",
        help=f"keep the {DB_NAME} database, Redis database 13 and the uploaded files",
    )
    args = parser.parse_args(argv)
    if not 1 <= args.clients <= 100 or not 5 <= args.seconds <= 300 or args.workers < 1:
        parser.error("--clients must be 1–100, --seconds 5–300, --workers at least 1")
    if not 2 <= args.ceiling_seconds <= 60 or not 0 <= args.solo_flows <= 100:
        parser.error("--ceiling-seconds must be 2–60, --solo-flows 0–100")
    if not args.clients <= args.accounts <= 10_000:
        parser.error("--accounts must be at least --clients and at most 10000")
    if not 0 <= args.wait_quiet <= 600 or not 0 <= args.retries <= 5:
        parser.error("--wait-quiet must be 0–600 seconds, --retries 0–5")
    return args


@dataclass
class Measured:
    """Everything one run measured, for the report."""

    args: argparse.Namespace
    pg_version: str
    background: float
    login_ms: list[float]
    solo: Phase
    ceiling: Phase
    load: Phase
    sampler: MemorySampler
    high_water: dict[int, int | None]
    checks: list[tuple[str, object, object]]
    server_errors: list[str]


def measure_run(args: argparse.Namespace, work_dir: Path, env: dict[str, str], started) -> Measured:
    """Set the database up, start the server and run every phase; ``started(server, sampler)``
    hands both to the caller as soon as they exist, so it can stop them whatever happens."""
    say(f"creating {DB_NAME}: demo catalogue + {args.accounts} citizen accounts")
    create_database()
    flush_cache()
    build_database(env, args.accounts)
    pg_version = query("SHOW server_version")[0][0]
    flow = build_flow(work_dir)

    port = free_port()
    server_log = work_dir / "gunicorn.log"
    say(f"starting gunicorn ({args.workers} sync workers) on {HOST}:{port}")
    server = start_gunicorn(port, args.workers, env, server_log)
    sampler = MemorySampler(server.pid)
    started(server, sampler)
    wait_healthy(server, port, server_log)
    sampler.start()

    say(f"logging {args.clients} clients in (allauth app API, PBKDF2)")
    tokens, login_ms = log_in(port, args.clients)
    warm = PhaseLog()  # one submission alone, then every request on both workers
    one_flow(port, tokens[0], flow, warm, None)
    if warm.errors:  # a set-up mistake: stop with the server's answer
        raise SetupError(f"the first submission failed: {dict(warm.errors)}")
    for _ in range(20):
        call(port, "GET", CEILING_PATH)
    with ThreadPoolExecutor(max_workers=2) as pool:
        list(pool.map(lambda i: one_flow(port, tokens[i], flow, warm, None), [0, 1, 0, 1]))
    if warm.errors:
        raise SetupError(f"warm-up failed: {dict(warm.errors)}")

    quiet_deadline = time.monotonic() + args.wait_quiet  # one budget for the whole run
    background = wait_for_quiet(quiet_deadline)
    if background > BUSY_MACHINE_CORES:
        say(
            f"warning: {background:.2f} cores busy with other work before the run; "
            "the figures will be noisy (run on a quiet machine)"
        )
    again: list[PhaseLog] = []  # phases measured again: their dossiers stay in the database

    def measure(name: str, clients: int, seconds: int, target, what: str) -> Phase:
        retries = args.retries
        while True:
            sampler.phase = name
            say(f"{name}: {what}")
            phase = run_phase(name, clients, seconds, target, server)
            if not phase.disturbed or retries == 0:
                return phase
            retries -= 1
            say(f"{phase.other_cores:.2f} cores went to other work meanwhile; measuring again")
            again.append(phase.log)
            wait_for_quiet(quiet_deadline)

    def solo_client(index: int, log: PhaseLog, deadline: float) -> None:
        for _ in range(args.solo_flows):
            if time.monotonic() < deadline:
                one_flow(port, tokens[0], flow, log, deadline)

    solo_ceiling = PhaseLog()
    for _ in range(SOLO_CEILING):
        status, ms, data = call(port, "GET", CEILING_PATH)
        solo_ceiling.record("ceiling", status, ms, data, 200)
    solo = measure(
        "solo",
        1,
        SOLO_SECONDS,
        solo_client,
        f"one client alone, {args.solo_flows} submissions (after {SOLO_CEILING} × {CEILING_PATH})",
    )
    solo.log.samples += solo_ceiling.samples
    ceiling = measure(
        "ceiling",
        args.clients,
        args.ceiling_seconds,
        lambda i, log, end: ceiling_client(port, log, end),
        f"{args.clients} clients on {CEILING_PATH} for {args.ceiling_seconds} s",
    )
    load = measure(
        "submission",
        args.clients,
        args.seconds,
        lambda i, log, end: submission_client(port, tokens[i], flow, log, end),
        f"{args.clients} clients submitting for {args.seconds} s",
    )
    sampler.phase = "after"
    high_water = sampler.stop()
    if server.poll() is not None:
        raise SetupError(f"gunicorn died during the run:\n{server_log.read_text()}")
    return Measured(
        args=args,
        pg_version=pg_version,
        background=background,
        login_ms=login_ms,
        solo=solo,
        ceiling=ceiling,
        load=load,
        sampler=sampler,
        high_water=high_water,
        checks=verify([warm, solo.log, *again, load.log], work_dir / "media"),
        server_errors=[
            line
            for line in server_log.read_text(errors="replace").splitlines()
            if "Error" in line or "WORKER TIMEOUT" in line or "Traceback" in line
        ],
    )


def report(m: Measured, seconds_so_far: float) -> int:
    """Print the figures, save them as JSON; the exit status."""
    args, load, ceiling, sampler = m.args, m.load, m.ceiling, m.sampler
    facts = machine()
    ceiling_row = rows_of(ceiling, ("ceiling",))["ceiling"]
    ceiling_row.ratio, ceiling_row.verdict = 1.0, "baseline"
    rows = rows_of(load, FLOW_KINDS)
    for r in rows.values():
        r.ratio = r.rps / ceiling_row.rps if ceiling_row.rps else float("nan")
        r.verdict = p95_verdict(r.p95)
    flows = row("whole submission (5 requests)", load.log.flows_ms, load.log.broken, load.seconds)
    flows.ratio = flows.rps / ceiling_row.rps if ceiling_row.rps else float("nan")
    flows.verdict = "for information: the target is per request"
    solo_rows = {
        k: row(KINDS[k], [s.ms for s in m.solo.log.samples if s.kind == k], 0, float("nan"))
        for k in ("ceiling", *FLOW_KINDS)
    }
    solo_flows = row("whole submission (5 requests)", m.solo.log.flows_ms, 0, float("nan"))

    peaks = [v for v in m.high_water.values() if v is not None]
    peaks += sampler.peaks.get("submission", {}).values()
    peak_kib = max(peaks, default=None)
    memory_ok = peak_kib is not None and mib(peak_kib) < TARGET_PEAK_MIB
    worst = max(FLOW_KINDS, key=lambda k: rows[k].p95)
    requests_ok = all(rows[k].p95 < TARGET_P95_MS for k in FLOW_KINDS)
    total = len(load.log.samples)
    failure_rate = rows["all"].failures / total if total else 1.0
    checks_ok = all(expected == found for _, expected, found in m.checks)
    verdict = "PASS" if requests_ok and memory_ok else "FAIL"

    print()
    print(
        f"Dossier submission benchmark — {datetime.now():%Y-%m-%d %H:%M} — {facts['cores']} "
        f"cores, {facts['memory_gib']} GiB ({facts['cpu']}), shared by server, PostgreSQL and "
        "load client"
    )
    print(
        f"PostgreSQL {m.pg_version}; gunicorn {args.workers} sync workers (never recycled); "
        f"{args.clients} clients (threads, http.client, a new connection per request), no think "
        f"time; procedure {PROCEDURE}, {PAPERS} PDF papers of {PAPER_BYTES:,} bytes"
    )
    print(f"Background load just before the measured phases: {m.background:.2f} cores busy")
    disturbed = [p.name for p in (m.solo, ceiling, load) if p.disturbed]
    if disturbed:
        print(
            f"WARNING: other work took more than {DISTURBED_CORES:.2f} cores during "
            f"{', '.join(disturbed)} (after {args.retries} retries): the figures are pessimistic;"
            " run again on a quiet machine"
        )
    print()
    print(
        f"Load: ceiling for {ceiling.seconds:.1f} s, then submissions for {load.seconds:.1f} s, "
        f"{args.clients} concurrent clients (ratio = req/s ÷ ceiling req/s)"
    )
    print_load_table([ceiling_row, *rows.values(), flows])
    completed = len(load.log.flows_ms)
    print(
        f"{completed} submissions completed ({completed / load.seconds:.2f}/s, "
        f"{completed * PAPERS * PAPER_BYTES / load.seconds / 2**20:.1f} MiB/s of papers); "
        f"{load.log.abandoned} cut by the deadline, {load.log.broken} broken by a failure. "
        f"Target: p95 of every API request < {TARGET_P95_MS:.0f} ms."
    )
    for error, count in load.log.errors.most_common(5):
        print(f"    failure: {count}× {error}")
    print()
    print_memory(m)
    print()
    print_cpu(ceiling, m.solo, load)
    print()
    print(
        "One client alone (no queueing: the service time of each request; "
        f"{len(m.solo.log.flows_ms)} submissions):"
    )
    header = f"{'request':<34} {'count':>6} {'p50 ms':>7} {'p95 ms':>7} {'× ceiling':>9}"
    print(header)
    print("-" * len(header))
    for r in [*solo_rows.values(), solo_flows]:
        print(
            f"{r.label:<34} {r.count:>6} {_f(r.p50, 1):>7} {_f(r.p95, 1):>7} "
            f"{_f(r.p50 / solo_rows['ceiling'].p50, 1):>9}"
        )
    print(f"(log-in, PBKDF2: p50 {percentile(m.login_ms, 50):.0f} ms, not part of the loop)")
    print()
    print("Checks against the database and the disk after the run:")
    for label, expected, found in m.checks:
        shown = f"{len(found)} codes" if isinstance(found, list) else f"{found}"
        print(f"  {'ok  ' if expected == found else 'FAIL'} {label}: {shown}")
    if m.server_errors:
        print(f"gunicorn logged {len(m.server_errors)} error line(s), e.g. {m.server_errors[0]}")
    print()
    print(
        f"Verdict: {verdict} — p95 of every API request {'<' if requests_ok else 'NOT <'} "
        f"{TARGET_P95_MS:.0f} ms (worst: {rows[worst].p95:.0f} ms, {KINDS[worst]}); peak worker "
        f"memory {_f(mib(peak_kib), 1)} MiB {'<' if memory_ok else 'NOT <'} "
        f"{TARGET_PEAK_MIB:.0f} MiB"
    )
    path = save(
        {
            "date": datetime.now().isoformat(timespec="seconds"),
            "machine": facts,
            "postgresql": m.pg_version,
            "args": vars(args),
            "background_cores": m.background,
            "login_ms_p50": percentile(m.login_ms, 50),
            "load": {
                "seconds": load.seconds,
                "rows": [asdict(r) for r in (ceiling_row, *rows.values(), flows)],
                "abandoned": load.log.abandoned,
                "broken": load.log.broken,
                "errors": dict(load.log.errors),
            },
            "cpu": [
                {
                    "phase": p.name,
                    "seconds": p.seconds,
                    "client_cores": p.client_cores,
                    "gunicorn_cores": p.server_cores,
                    "postgresql_redis_cores": p.services_cores,
                    "other_cores": p.other_cores,
                    "gunicorn_cpu_s": p.server_cpu_s,
                }
                for p in (ceiling, m.solo, load)
            ],
            "solo": [asdict(r) for r in (*solo_rows.values(), solo_flows)],
            "memory_kib": {
                "vm_hwm": {str(k): v for k, v in m.high_water.items()},
                "peaks_by_phase": {
                    phase: {str(k): v for k, v in by_pid.items()}
                    for phase, by_pid in sampler.peaks.items()
                },
            },
            "checks": [{"check": label, "ok": exp == found} for label, exp, found in m.checks],
            "disturbed": disturbed,
            "verdict": verdict,
        }
    )
    print(f"Whole run {seconds_so_far:.0f} s; figures saved to {path.relative_to(ROOT)}")
    if failure_rate > MAX_FAILURE_RATE:
        print(f"{failure_rate:.1%} of the requests failed (more than {MAX_FAILURE_RATE:.0%})")
    if not checks_ok:
        print("Some checks against the database and the disk did not hold.")
    return 1 if failure_rate > MAX_FAILURE_RATE or not checks_ok else 0


def print_memory(m: Measured) -> None:
    print("Peak resident memory (RSS) of each gunicorn worker, MiB:")
    clients = f"{m.args.clients} clients"
    header = f"{'worker pid':>10} {'log-in+warm-up':>14} {'1 client':>8} {clients:>10} {'VmHWM':>7}"
    print(header + "  verdict")
    print("-" * (len(header) + 9))
    for pid in m.sampler.pids:
        hwm = m.high_water.get(pid)
        by_phase = [m.sampler.peaks.get(p, {}).get(pid) for p in ("start", "solo", "submission")]
        verdict = "PASS" if hwm is not None and mib(hwm) < TARGET_PEAK_MIB else "FAIL"
        print(
            f"{pid:>10} {_f(mib(by_phase[0]), 1):>14} {_f(mib(by_phase[1]), 1):>8} "
            f"{_f(mib(by_phase[2]), 1):>10} {_f(mib(hwm), 1):>7}  {verdict}"
        )
    restarts = max(0, len(m.sampler.pids) - m.args.workers)
    print(
        "(VmHWM: the kernel's high water mark since the worker started; RSS sampled every "
        f"100 ms, {m.sampler.samples} samples; {restarts} worker restart(s). Target: "
        f"< {TARGET_PEAK_MIB:.0f} MiB per worker.)"
    )


def print_cpu(ceiling: Phase, solo: Phase, load: Phase) -> None:
    print("Where the CPU went (cores busy on average; gunicorn CPU time per request):")
    header = (
        f"{'phase':<12} {'client':>6} {'gunicorn':>8} {'PG+Redis':>8} {'other':>6} "
        f"{'ms/request':>10} {'× ceiling':>9} {'ms/submission':>13}"
    )
    print(header)
    print("-" * len(header))
    ceiling_ms = ceiling.server_cpu_s / max(1, len(ceiling.log.samples)) * 1000
    for phase in (ceiling, solo, load):
        requests = [s for s in phase.log.samples if s.kind != "ceiling" or phase is ceiling]
        per_request = phase.server_cpu_s / max(1, len(requests)) * 1000
        flows = len(phase.log.flows_ms)
        per_flow = phase.server_cpu_s / flows * 1000 if flows else float("nan")
        print(
            f"{phase.name:<12} {phase.client_cores:>6.2f} {phase.server_cores:>8.2f} "
            f"{phase.services_cores:>8.2f} {phase.other_cores:>6.2f} {per_request:>10.2f} "
            f"{per_request / ceiling_ms:>9.1f} {_f(per_flow):>13}"
            + ("  disturbed" if phase.disturbed else "")
        )
    print(
        "(PG+Redis: all PostgreSQL and Redis processes; other: the kernel's share not charged to"
        " a process and anything else on the machine — if it is high, the run was disturbed)"
    )


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    signal.signal(signal.SIGTERM, _interrupt)
    started = time.monotonic()
    running: dict = {}
    work_dir = Path(tempfile.mkdtemp(prefix="bench-submission-"))
    (work_dir / "media").mkdir()
    env = server_env(work_dir / "media")
    try:
        measured = measure_run(
            args,
            work_dir,
            env,
            lambda server, sampler: running.update(server=server, sampler=sampler),
        )
        return report(measured, time.monotonic() - started)
    except SetupError as error:
        print(f"bench: {error}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("bench: interrupted", file=sys.stderr)
        return 130
    finally:
        clean_up(running, work_dir, args.keep_db)


def clean_up(running: dict, work_dir: Path, keep_db: bool) -> None:
    """Stop the sampler and gunicorn, drop the database, empty Redis 13, delete the files; each
    step is tried even when another one failed."""
    try:
        if "sampler" in running and running["sampler"].is_alive():
            running["sampler"].stop()
    finally:
        if "server" in running:
            stop_gunicorn(running["server"])
    if keep_db:
        say(f"kept {DB_NAME}, Redis database 13 and the uploaded files in {work_dir}")
        return
    shutil.rmtree(work_dir, ignore_errors=True)
    try:
        drop_database()
        flush_cache()
        say(f"dropped {DB_NAME}, emptied Redis database 13, deleted {work_dir}")
    except (psycopg2.Error, redis.RedisError) as error:
        print(f"bench: could not clean up {DB_NAME} / Redis 13: {error}", file=sys.stderr)


def _no_nan(value):
    if isinstance(value, float) and value != value:
        return None  # JSON has no NaN
    if isinstance(value, dict):
        return {k: _no_nan(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_no_nan(v) for v in value]
    return value


def save(report: dict) -> Path:
    RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    path = RESULTS_DIR / f"submission-{datetime.now():%Y%m%d-%H%M%S}.json"
    path.write_text(json.dumps(_no_nan(report), indent=2, ensure_ascii=False) + "\n")
    return path


if __name__ == "__main__":
    sys.exit(main())
