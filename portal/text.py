"""Text helpers shared by every app."""

import re
import unicodedata

_SPACES = re.compile(r"\s+")


def normalize_search(text: str) -> str:
    """Fold Vietnamese text for accent- and case-insensitive search.

    ``"Đăng ký KHAI SINH"`` and ``"dang ky khai sinh"`` both give ``"dang ky khai sinh"``.
    The letter đ is not a base letter with a mark in Unicode, so it is mapped by hand.
    """
    text = text.replace("đ", "d").replace("Đ", "D")
    decomposed = unicodedata.normalize("NFKD", text)
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return _SPACES.sub(" ", stripped.casefold()).strip()


def format_vnd(amount: int) -> str:
    """20000 → "20.000 đ": dots between thousands, as Vietnamese readers expect, in any language."""
    return f"{int(amount):,} đ".replace(",", ".")
