"""Load scenarios of the catalogue, shared by ``locustfile.py`` and ``bench/catalogue.py``.

Plain data and URL builders only: importing this package must not import locust (locust patches
the standard library with gevent on import, which the benchmark driver does not want).
"""

from __future__ import annotations

from urllib.parse import urlencode

CEILING_PATH = "/bench/ok"
API_PATH = "/api/v1/procedures/"
PAGE_PATH = "/thu-tuc/"

# What people type into the catalogue search, with and without accents, and the page they ask
# for. Each query with page 2 has more than 20 results on the benchmark catalogue (the demo
# catalogue of Huế plus 2,000 generated procedures), so every URL answers 200.
SEARCHES: list[tuple[str, int]] = [
    ("", 1),
    ("khai sinh", 1),
    ("dang ky", 1),
    ("dang ky", 2),
    ("giay phep", 1),
    ("giay phep", 2),
    ("cap", 1),
    ("cap", 2),
    ("tam tru", 1),
    ("xac nhan", 1),
    ("ho kinh doanh", 1),
    ("ho kinh doanh", 2),
    ("1.001193", 1),
    ("8.0012", 1),
    ("chứng thực", 1),
    ("Giấy phép xây dựng", 1),
    ("an toan thuc pham", 1),
    ("karaoke", 1),
    ("gia han", 2),
    ("kết hôn", 1),
    ("thu hoi", 1),
    ("", 3),
]


def _url(path: str, name: str, query: str, page: int, padding: int) -> str:
    params = {}
    if query or padding:
        # Trailing spaces are ignored by the search but are part of the cache key: they make a
        # URL unique (a guaranteed cache miss) while doing exactly the work of the plain query.
        params[name] = query + " " * padding
    if page != 1:
        params["page"] = str(page)
    return f"{path}?{urlencode(params)}" if params else path


def api_url(query: str, page: int = 1, padding: int = 0) -> str:
    """(a) The catalogue search API."""
    return _url(API_PATH, "search", query, page, padding)


def page_url(query: str, page: int = 1, padding: int = 0) -> str:
    """(b) The catalogue list page, server-rendered."""
    return _url(PAGE_PATH, "q", query, page, padding)


API_URLS = [api_url(q, p) for q, p in SEARCHES]
PAGE_URLS = [page_url(q, p) for q, p in SEARCHES]
