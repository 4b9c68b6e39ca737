"""A generation number for the catalogue: cached answers are keyed by it, edits bump it."""

from django.core.cache import cache

_KEY = "catalogue:generation"


def generation() -> int:
    value = cache.get(_KEY)
    if value is None:
        cache.add(_KEY, 1, timeout=None)
        value = cache.get(_KEY, 1)
    return value


def bump_generation() -> None:
    try:
        cache.incr(_KEY)
    except ValueError:  # the key was evicted or never set
        cache.set(_KEY, 2, timeout=None)


def request_key(request, language: str) -> str:
    """The part of a cache key that identifies an answer: language, host, full path with query."""
    return f"{language}:{request.get_host()}:{request.get_full_path()}"


def versioned(key: str) -> str:
    """``key`` in the current catalogue generation. Take it once, before building a value, so a
    value built while an edit lands is filed under the old generation, never the new one."""
    return f"catalogue:{generation()}:{key}"


def remember(key: str, build):
    """Return the cached value under ``key`` in this catalogue generation, building it once."""
    from django.conf import settings

    full_key = versioned(key)
    value = cache.get(full_key)
    if value is None:
        value = build()
        cache.set(full_key, value, timeout=settings.CATALOGUE_CACHE_SECONDS)
    return value
