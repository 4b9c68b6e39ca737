"""Locust scenarios of the catalogue: the ceiling, the search API and the list page.

By hand, against a server you started (only ever 127.0.0.1)::

    .venv/bin/locust -f tests/load/locustfile.py --host http://127.0.0.1:8000 \\
        --headless -u 8 -r 8 -t 15s CatalogueApiUser

Name one class (``CeilingUser``, ``CatalogueApiUser``, ``CataloguePageUser``) to run that
scenario alone; ``bench/catalogue.py`` runs each in turn and compares them. Users send their
next request as soon as the previous answer arrives (no think time): the figure is throughput.
Every answer that is not a 2xx counts as a failure, redirects included.

With ``BENCH_STATS_FILE`` set, the run's totals and its response-time histogram are written
there as JSON when locust quits, so the benchmark can merge several runs exactly.
"""

from __future__ import annotations

import json
import os
import resource
import sys
import time
from itertools import cycle
from pathlib import Path
from random import randrange

from locust import FastHttpUser, constant, events, task

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))  # run from any directory

from tests.load import API_URLS, CEILING_PATH, PAGE_URLS  # noqa: E402


class _RotatingUser(FastHttpUser):
    """GETs ``urls`` in turn, each user starting at a different place of the list."""

    abstract = True
    wait_time = constant(0)
    urls: list[str] = []
    label = ""  # one stats row per scenario, whatever the query

    def on_start(self):
        start = randrange(len(self.urls))
        self._urls = cycle(self.urls[start:] + self.urls[:start])

    @task
    def get(self):
        url = next(self._urls)
        with self.client.get(
            url, name=self.label, catch_response=True, allow_redirects=False
        ) as response:
            if not 200 <= response.status_code < 300:
                response.failure(f"HTTP {response.status_code} for {url}")


class CeilingUser(_RotatingUser):
    """(c) A bare Django view answering "ok" through the whole middleware stack."""

    urls = [CEILING_PATH]
    label = "(c) ceiling /bench/ok"


class CatalogueApiUser(_RotatingUser):
    """(a) ``/api/v1/procedures/?search=…`` over realistic queries, some on page 2."""

    urls = API_URLS
    label = "(a) search API /api/v1/procedures/"


class CataloguePageUser(_RotatingUser):
    """(b) ``/thu-tuc/?q=…``, the server-rendered catalogue page, over the same queries."""

    urls = PAGE_URLS
    label = "(b) list page /thu-tuc/"


_load: dict[str, tuple[float, float]] = {}  # wall clock and this process's CPU, start and stop


def _clock() -> tuple[float, float]:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return time.monotonic(), usage.ru_utime + usage.ru_stime


@events.test_start.add_listener
def _load_started(environment, **kwargs):
    _load["start"] = _clock()


@events.test_stop.add_listener
def _load_stopped(environment, **kwargs):
    _load["stop"] = _clock()


@events.quitting.add_listener
def _write_stats(environment, **kwargs):
    """The totals of this run for ``bench/catalogue.py`` (before locust prints or resets them)."""
    path = os.environ.get("BENCH_STATS_FILE")
    if not path:
        return
    total = environment.stats.total
    seconds = (total.last_request_timestamp or 0) - (environment.stats.start_time or 0)
    figures = {
        "requests": total.num_requests,
        "failures": total.num_failures,
        "seconds": max(seconds, 0.0),  # locust's base for req/s: start to last request
        "response_times": {str(ms): count for ms, count in total.response_times.items()},
        "errors": [f"{e.occurrences}× {e.error}" for e in environment.stats.errors.values()],
    }
    if "start" in _load and "stop" in _load:  # the load itself, without locust's start-up
        figures["load_seconds"] = _load["stop"][0] - _load["start"][0]
        figures["client_cpu"] = _load["stop"][1] - _load["start"][1]
    Path(path).write_text(json.dumps(figures))
