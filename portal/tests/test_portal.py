"""Project-wide behaviour: settings refusals, health, error shapes, working without a broker."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def _check_with(env: dict[str, str]) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_URL"))}
    return subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=ROOT,
        env=clean | {"PORTAL_ENV": "production"} | env,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_production_refuses_to_start_without_a_secret_key():
    result = _check_with({"DATABASE_URL": "postgres://u@127.0.0.1/db", "DJANGO_ALLOWED_HOSTS": "x"})

    assert result.returncode != 0 and "DJANGO_SECRET_KEY" in result.stderr


def test_production_refuses_sqlite():
    result = _check_with({"DJANGO_SECRET_KEY": "s" * 50, "DJANGO_ALLOWED_HOSTS": "x"})

    assert result.returncode != 0 and "DATABASE_URL" in result.stderr


PRODUCTION_NEEDS = {
    "DJANGO_SECRET_KEY": "s" * 50,
    "DJANGO_ALLOWED_HOSTS": "dichvucong.example.vn",
    "DATABASE_URL": "postgres://u@127.0.0.1/db",
    "PORTAL_BASE_URL": "https://dichvucong.example.vn",
}


def test_production_starts_with_what_it_needs():
    result = _check_with(PRODUCTION_NEEDS)

    assert result.returncode == 0, result.stderr


def test_production_refuses_to_start_without_the_address_printed_on_signed_documents():
    result = _check_with({k: v for k, v in PRODUCTION_NEEDS.items() if k != "PORTAL_BASE_URL"})

    assert result.returncode != 0 and "PORTAL_BASE_URL" in result.stderr


@pytest.mark.django_db
def test_health_answers_ok(client):
    assert client.get("/healthz").json() == {"status": "ok"}


@pytest.mark.django_db
def test_unknown_page_is_a_friendly_404(client):
    response = client.get("/khong-co-trang-nay/")

    assert response.status_code == 404
    assert 'href="/thu-tuc/"' in response.content.decode()


@pytest.mark.django_db
def test_unknown_api_path_answers_in_the_error_shape(client):
    response = client.get("/api/v1/procedures/9.999999/")

    assert response.status_code == 404
    assert set(response.json()) == {"code", "detail"}


def test_celery_runs_tasks_in_process_without_a_broker(settings):
    from portal.celery import app

    assert settings.CELERY_TASK_ALWAYS_EAGER is True
    assert app.conf.task_always_eager is True


@pytest.mark.redis
def test_celery_reaches_a_real_redis_broker():
    from kombu import Connection

    url = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/15")
    with Connection(url, connect_timeout=2) as connection:
        connection.ensure_connection(max_retries=1)
        assert connection.connected


@pytest.mark.redis
def test_redis_cache_reuses_one_client_and_keeps_the_cache_contract():
    from portal.cache_backend import PooledRedisCache

    url = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/15")
    backend = PooledRedisCache(url, {"KEY_PREFIX": "test-pooled"})
    backend.set("a", ("x", 1))
    backend.set("n", 1)
    backend.incr("n")

    assert backend.get_many(["a", "n", "missing"]) == {"a": ("x", 1), "n": 2}
    assert backend._cache.get_client() is backend._cache.get_client(write=True)
    backend.delete_many(["a", "n"])


@pytest.mark.django_db
def test_capped_count_paginator_stops_counting_at_the_cap(monkeypatch):
    from accounts.models import User
    from accounts.tests.factories import UserFactory
    from portal.api import CappedCountPaginator

    for _ in range(5):
        UserFactory()
    monkeypatch.setattr(CappedCountPaginator, "cap", 3)
    paginator = CappedCountPaginator(User.objects.order_by("pk"), 2)

    assert paginator.count == 4  # cap + 1: "more than 3"
    assert [u.pk for u in paginator.page(2).object_list] == list(
        User.objects.order_by("pk").values_list("pk", flat=True)[2:4]
    )


@pytest.mark.postgres
@pytest.mark.django_db
def test_a_count_over_its_time_budget_is_reported_as_more_than_the_cap(monkeypatch):
    from accounts.models import User
    from accounts.tests.factories import UserFactory
    from portal.api import CappedCountPaginator

    UserFactory()
    monkeypatch.setattr(CappedCountPaginator, "budget_ms", 1)
    # 50 ms of sleep inside the counted query, against a budget of 1 ms.
    slow = User.objects.extra(where=["(SELECT 1 FROM pg_sleep(0.05)) = 1"])

    paginator = CappedCountPaginator(slow.order_by("pk"), 20)

    assert paginator.count == CappedCountPaginator.cap + 1
    assert User.objects.count() == 1  # the connection is still usable after the cancel
