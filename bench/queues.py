"""Officer queue benchmark (issue #4): the first page of each queue and a filtered search, with
1,000,000 dossiers on PostgreSQL, against a bare Django view measured in the same run.

Run ``.venv/bin/python bench/queues.py`` (``--help`` for the options). It

1. creates the PostgreSQL database ``portal_bench_queues`` on 127.0.0.1 (dropped first), migrates
   it, loads the demo catalogue and ``--count`` synthetic dossiers (``generate_dossiers``), and
   runs ``ANALYZE``;
2. in a child process on that database (production settings, Redis database 12 as the cache),
   signs in two officers with two-factor log-in: the intake officer of the agency holding the
   most dossiers, and an officer of the province one-stop centre (who sees every agency);
3. requests, through the whole Django stack (middleware, authentication, DRF) with Django's test
   client — one request at a time, so the figure is the server's time, not queueing — each
   scenario ``--requests`` times after 3 warm-up requests: ``/bench/ok`` (the baseline), the
   first page of each queue, page 50 of the whole list, and a filtered search;
4. prints p50, p95 and max per scenario, the ratio of p50 to the baseline's, the number of
   queries for page size 20 and 100 (must be equal), and PASS/FAIL against p95 < 100 ms;
5. drops the database (``--keep-db`` keeps it) and empties Redis database 12.

Exit status: 0 (a measurement), 2 when the set-up failed. Figures also go to ``bench/results/``.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from datetime import datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
HOST = "127.0.0.1"
DB_NAME = "portal_bench_queues"
ADMIN_URL = f"postgres://postgres@{HOST}:5432/postgres"
DB_URL = f"postgres://postgres@{HOST}:5432/{DB_NAME}"
REDIS_URL = f"redis://{HOST}:6379/12"
TARGET_MS = 100.0


def say(message: str) -> None:
    print(f"[bench {datetime.now():%H:%M:%S}] {message}", flush=True)


def env() -> dict[str, str]:
    return {
        **os.environ,
        "DATABASE_URL": DB_URL,
        "REDIS_URL": REDIS_URL,
        "PORTAL_ENV": "production",
        "PORTAL_BASE_URL": "http://127.0.0.1:8000",
        "DJANGO_SECRET_KEY": "bench-only-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz",
        "DJANGO_ALLOWED_HOSTS": "testserver,127.0.0.1",
        "DJANGO_DEBUG": "0",
        "SECURE_SSL_REDIRECT": "0",
        "STATIC_MANIFEST": "0",
        "CELERY_BROKER_URL": "memory://",
        "LOG_LEVEL": "WARNING",
        "PYTHONPATH": str(ROOT),
    }


def admin_sql(statement: str) -> None:
    import psycopg2

    connection = psycopg2.connect(ADMIN_URL)
    connection.autocommit = True
    with connection.cursor() as cursor:
        cursor.execute(statement)
    connection.close()


def manage(*args: str) -> None:
    # Built with development settings: generate_dossiers refuses to run in production.
    build_env = {k: v for k, v in env().items() if k != "PORTAL_ENV"}
    subprocess.run([PYTHON, "manage.py", *args], cwd=ROOT, env=build_env, check=True)


def build(count: int) -> None:
    say(f"creating {DB_NAME}: demo catalogue + {count:,} dossiers (a few minutes for 1,000,000)")
    admin_sql(f"DROP DATABASE IF EXISTS {DB_NAME}")
    admin_sql(f"CREATE DATABASE {DB_NAME}")
    manage("migrate", "--noinput", "-v0")
    manage("load_demo", "--no-admin")
    started = time.monotonic()
    manage("generate_dossiers", "--count", str(count))
    say(f"generated in {time.monotonic() - started:.0f} s; ANALYZE")
    import psycopg2

    connection = psycopg2.connect(DB_URL)
    connection.autocommit = True
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    connection.close()


# --- the measuring child ---------------------------------------------------------------------

CHILD = r"""
import json, statistics, sys, time
import django
django.setup()
from django.conf import settings
from django.db import connection
from django.db.models import Count
from django.test import Client
from django.test.utils import CaptureQueriesContext
from accounts.constants import Duty, Role
from accounts.models import User
from allauth.mfa.totp.internal.auth import TOTP
from dossiers.models import Dossier
from procedures.models import Agency

settings.ALLOWED_HOSTS = ["testserver"]
requests = int(sys.argv[1])
top = Dossier.objects.values("agency").annotate(n=Count("id")).order_by("-n").first()
agency = Agency.objects.get(pk=top["agency"])
centre = Agency.objects.filter(is_one_stop_centre=True).first()

def officer(email, agency):
    user, _ = User.objects.get_or_create(
        email=email, defaults={"role": Role.OFFICER, "agency": agency, "duty": Duty.INTAKE,
                               "full_name": "Cán bộ đo hiệu năng"})
    if not user.authenticator_set.exists():
        TOTP.activate(user, "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP")
    client = Client()
    client.force_login(user)
    return client

local = officer("bench.local@example.vn", agency)
province = officer("bench.centre@example.vn", centre) if centre else None
sample = Dossier.objects.filter(agency=agency).exclude(applicant__full_name="").select_related(
    "applicant", "procedure").order_by("-submitted_at").first()
word = sample.applicant.full_name.split()[-1]
Q = "/api/v1/officer/dossiers/"
scenarios = [("(c) baseline /bench/ok", local, "/bench/ok")]
for queue in ("new", "in_progress", "waiting", "due_soon", "overdue", "finished"):
    scenarios.append((f"queue {queue}, first page", local, f"{Q}?queue={queue}"))
scenarios += [
    ("all, sorted by received date", local, f"{Q}?ordering=-received_at"),
    ("all, page 50", local, f"{Q}?page=50"),
    ("search: code prefix", local, f"{Q}?search={sample.code[:-2]}"),
    ("search: name + procedure + channel", local,
     f"{Q}?search={word}&procedure={sample.procedure.code}&channel={sample.channel}"),
    ("search: CCCD", local, f"{Q}?search={sample.applicant.id_number or '046195012345'}"),
    ("assigned to me", local, f"{Q}?assigned_to=me"),
]
if province:
    scenarios += [
        ("province centre: queue new", province, f"{Q}?queue=new"),
        ("province centre: overdue", province, f"{Q}?queue=overdue"),
    ]
results = []
for label, client, url in scenarios:
    for _ in range(3):
        response = client.get(url)
        assert response.status_code == 200, (url, response.status_code, response.content[:300])
    times = []
    for _ in range(requests):
        started = time.perf_counter()
        client.get(url)
        times.append((time.perf_counter() - started) * 1000)
    times.sort()
    results.append({"label": label, "url": url, "p50": statistics.median(times),
                    "p95": times[max(0, round(0.95 * len(times)) - 1)], "max": times[-1]})
queries = {}
for size in (20, 100):
    with CaptureQueriesContext(connection) as captured:
        local.get(f"{Q}?queue=in_progress&page_size={size}")
    queries[size] = len(captured.captured_queries)
print(json.dumps({"agency": agency.code, "agency_dossiers": top["n"],
                  "total": Dossier.objects.count(), "results": results, "queries": queries}))
"""


def measure(requests: int) -> dict:
    say(f"measuring, {requests} requests per scenario")
    output = subprocess.run(
        [PYTHON, "-c", CHILD, str(requests)],
        cwd=ROOT,
        env={**env(), "DJANGO_SETTINGS_MODULE": "portal.settings"},
        check=True,
        capture_output=True,
        text=True,
    )
    return json.loads(output.stdout.strip().splitlines()[-1])


def report(figures: dict, count: int) -> None:
    print()
    print(
        f"Officer queue benchmark — {datetime.now():%Y-%m-%d %H:%M} — PostgreSQL, "
        f"{figures['total']:,} dossiers; the local officer's agency {figures['agency']} holds "
        f"{figures['agency_dossiers']:,}"
    )
    print("One request at a time through the whole Django stack (test client); milliseconds.")
    print()
    baseline = figures["results"][0]["p50"]
    header = f"{'scenario':40} {'p50':>7} {'p95':>7} {'max':>7} {'× base':>7}  verdict"
    print(header)
    print("-" * len(header))
    for row in figures["results"]:
        verdict = (
            "baseline"
            if row is figures["results"][0]
            else ("PASS" if row["p95"] < TARGET_MS else "FAIL")
        )
        print(
            f"{row['label']:40} {row['p50']:7.1f} {row['p95']:7.1f} {row['max']:7.1f} "
            f"{row['p50'] / baseline:7.1f}  {verdict}"
        )
    q = figures["queries"]
    same = "PASS" if q["20"] == q["100"] else "FAIL"
    print()
    print(f"Queries for page size 20: {q['20']}, for 100: {q['100']} — {same} (must be equal)")
    print(f"Target: p95 < {TARGET_MS:.0f} ms for every queue and search.")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n", 1)[0])
    parser.add_argument("--count", type=int, default=1_000_000, help="dossiers (1,000,000)")
    parser.add_argument("--requests", type=int, default=40, help="per scenario (40)")
    parser.add_argument("--keep-db", action="store_true", help="keep the database afterwards")
    parser.add_argument("--reuse-db", action="store_true", help="measure an existing database")
    args = parser.parse_args(argv)
    try:
        if not args.reuse_db:
            build(args.count)
        figures = measure(args.requests)
    except (subprocess.CalledProcessError, OSError) as error:
        say(f"set-up failed: {error}")
        stderr = getattr(error, "stderr", None)
        if stderr:
            print(stderr[-3000:], file=sys.stderr)
        return 2
    finally:
        if not args.keep_db and not args.reuse_db:
            admin_sql(f"DROP DATABASE IF EXISTS {DB_NAME}")
        try:
            import redis

            redis.Redis.from_url(REDIS_URL).flushdb()
        except Exception:  # noqa: BLE001 — cleaning up must not hide the figures
            pass
    report(figures, args.count)
    results = ROOT / "bench" / "results"
    results.mkdir(exist_ok=True)
    path = results / f"queues-{datetime.now():%Y%m%d-%H%M%S}.json"
    path.write_text(json.dumps(figures, indent=2))
    say(f"figures saved to {path.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
