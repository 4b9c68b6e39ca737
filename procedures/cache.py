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


def response_key(request, language: str) -> str:
    """Cache key of a catalogue answer: generation, language, host and full path with query."""
    return f"catalogue:{generation()}:{language}:{request.get_host()}:{request.get_full_path()}"


def get_response(key: str):
    return cache.get(key)


def set_response(key: str, data) -> None:
    from django.conf import settings

    cache.set(key, data, timeout=settings.CATALOGUE_CACHE_SECONDS)
