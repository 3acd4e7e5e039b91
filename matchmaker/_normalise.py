"""Text normalisation shared by tagging, vectorising and name matching.

All functions are pure and keep string length where they can, so that a
phrase found in normalised text can be cut from the original at the same
offsets.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from typing import Any

__all__ = ["has_cjk", "normalise", "normalise_name", "to_simplified"]

_CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f]")
_DASHES = str.maketrans(dict.fromkeys("-‐‑‒–—―_/", " "))


@lru_cache(maxsize=1)
def _converter() -> Any:
    # Imported lazily: OpenCC loads its dictionaries on first use only.
    import opencc

    # Taiwan-standard to mainland Simplified, phrases included (雷射 -> 激光).
    return opencc.OpenCC("tw2sp")


def has_cjk(text: str) -> bool:
    """Return True if ``text`` contains any Chinese character.

    Examples
    --------
    >>> has_cjk("laser cladding"), has_cjk("激光熔覆")
    (False, True)
    """
    return bool(_CJK.search(text))


def to_simplified(text: str) -> str:
    """Convert Traditional Chinese (including Taiwan phrasing) to Simplified.

    Text without Chinese characters is returned unchanged.

    Examples
    --------
    >>> to_simplified("再製造發動機")
    '再制造发动机'
    >>> to_simplified("engine")
    'engine'
    """
    if not has_cjk(text):
        return text
    # OpenCC works on C strings: convert around NUL characters, never drop text.
    convert = _converter().convert
    return "\x00".join(str(convert(part)) for part in text.split("\x00"))


def normalise(text: str) -> str:
    """Normalise free text for matching.

    Full-width forms become ASCII (NFKC), Traditional Chinese becomes
    Simplified, letters are lower-cased, and dashes, slashes and underscores
    become spaces.

    Examples
    --------
    >>> normalise("Re-Manufacturing／ＴＷＩ 廢水")
    're manufacturing twi 废水'
    """
    text = unicodedata.normalize("NFKC", text)
    return to_simplified(text).lower().translate(_DASHES)


_LEGAL_SUFFIXES = (
    "股份有限公司",
    "有限责任公司",
    "集团有限公司",
    "有限公司",
    "集团",
    "公司",
)
_LEGAL_WORDS = re.compile(
    r"\b(?:ltd|limited|plc|llp|llc|inc|incorporated|co|company|corp|corporation|group|holdings|"
    r"gmbh|the)\b\.?"
)
_PUNCT = re.compile(r"[^\w\s]")
_SPACES = re.compile(r"\s+")


def normalise_name(name: str) -> str:
    """Normalise an organisation name for fuzzy comparison.

    Drops legal suffixes (Ltd, Limited, plc, Group, 有限公司 ...), punctuation
    and case; writes ``&`` as ``and``; converts full-width and Traditional
    Chinese characters.

    Examples
    --------
    >>> normalise_name("Oakdene Hollins Limited")
    'oakdene hollins'
    >>> normalise_name("Grainger & Worrall Ltd.")
    'grainger and worrall'
    >>> normalise_name("重慶渝湘智能科技股份有限公司")
    '重庆渝湘智能科技'
    """
    text = normalise(name).replace("&", " and ")
    for suffix in _LEGAL_SUFFIXES:
        if text.endswith(suffix) and len(text) > len(suffix):
            text = text[: -len(suffix)]
            break
    text = _LEGAL_WORDS.sub(" ", text)
    text = _PUNCT.sub(" ", text)
    return _SPACES.sub(" ", text).strip()
