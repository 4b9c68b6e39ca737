"""A generation number for the catalogue: cached answers carry it, edits bump it.

An entry is stored as ``(generation, value)`` under a key without the generation, and read
together with the current generation in one ``get_many``: one cache round trip per hit, and an
edit makes every older entry stale at once (it is rebuilt and overwritten on the next read).
"""

from django.conf import settings
from django.core.cache import cache

_GENERATION_KEY = "catalogue:generation"


def _initial_generation() -> int:
    cache.add(_GENERATION_KEY, 1, timeout=None)
    return cache.get(_GENERATION_KEY, 1)


def bump_generation() -> None:
    try:
        cache.incr(_GENERATION_KEY)
    except ValueError:  # the key was evicted or never set
        cache.set(_GENERATION_KEY, 2, timeout=None)


def request_key(request, language: str) -> str:
    """The part of a cache key that identifies an answer: language, host, full path with query."""
    return f"{language}:{request.get_host()}:{request.get_full_path()}"


def lookup(key: str):
    """``(generation, value)``: the value cached under ``key`` if it belongs to the current
    generation, else ``None``. Build a missing value after this call and ``store`` it with the
    generation returned here, so a value built while an edit lands is never taken as current."""
    entry_key = f"catalogue:{key}"
    found = cache.get_many([_GENERATION_KEY, entry_key])
    current = found.get(_GENERATION_KEY) or _initial_generation()
    entry = found.get(entry_key)
    if entry is not None and entry[0] == current:
        return current, entry[1]
    return current, None


def store(key: str, generation: int, value) -> None:
    cache.set(f"catalogue:{key}", (generation, value), timeout=settings.CATALOGUE_CACHE_SECONDS)


def remember(key: str, build):
    """Return the cached value under ``key`` in this catalogue generation, building it once."""
    current, value = lookup(key)
    if value is None:
        value = build()
        store(key, current, value)
    return value
