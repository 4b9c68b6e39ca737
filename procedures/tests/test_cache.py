"""The catalogue cache: one generation per edit, and no value built before an edit survives it."""

import pytest

from procedures import cache


@pytest.fixture(autouse=True)
def _empty_cache():
    from django.core.cache import cache as django_cache

    django_cache.clear()


def test_remember_builds_once_per_generation():
    built = []

    def build():
        built.append(1)
        return len(built)

    assert cache.remember("k", build) == 1
    assert cache.remember("k", build) == 1
    cache.bump_generation()
    assert cache.remember("k", build) == 2


def test_a_value_built_while_an_edit_lands_is_not_served_as_current():
    generation, value = cache.lookup("k")
    assert value is None
    cache.bump_generation()  # an admin saves while the value is being built
    cache.store("k", generation, "built from the old catalogue")

    assert cache.lookup("k")[1] is None


def test_bump_generation_survives_an_evicted_generation_key():
    from django.core.cache import cache as django_cache

    cache.store("k", cache.lookup("k")[0], "value")
    django_cache.delete("catalogue:generation")
    cache.bump_generation()

    assert cache.lookup("k")[1] is None
