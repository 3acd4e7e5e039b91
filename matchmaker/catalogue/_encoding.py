"""Decoding text files honestly: the right encoding, or a clear question.

Candidates, in order of the checks:

1. a byte-order mark: UTF-8 (Excel's "CSV UTF-8") or UTF-16 (Excel's
   "Unicode text");
2. UTF-16 without a mark, recognised by its zero bytes (every ASCII
   character of UTF-16 text has one; no other candidate has any);
3. strict UTF-8, which text in another encoding almost never passes;
4. GB18030 (which includes GBK and GB2312), Big5 and Windows-1252 (what UK
   Excel's "CSV (Comma delimited)" writes): each that decodes strictly is
   scored by charset-normalizer restricted to that one encoding (its "mess"
   ratio: odd mixes of scripts, unprintable characters) plus checks of our
   own (accented letters in runs for Windows-1252, rare characters for
   GB18030 and Big5, see :func:`_implausible`), and the cleanest wins. When two readings are both clean and disagree,
   the file is refused with both readings shown and the ``encoding=`` that
   settles it: a guess would garble names silently.

Big5 text (Traditional Chinese partners) is converted to Simplified, as
matching does everywhere else (:func:`matchmaker._normalise.to_simplified`).
"""

from __future__ import annotations

import codecs
import re

from .._normalise import to_simplified
from ._table import InputFileError

__all__ = ["CANDIDATES", "decode"]

#: The encodings detection chooses from (names Python's codecs accept).
CANDIDATES = ("utf-8", "utf-8-sig", "utf-16", "gb18030", "big5", "windows-1252")

_DETECTED = ("gb18030", "big5", "windows-1252")
#: A reading scored (mess ratio plus the checks of _implausible) above this is garbled.
_GARBLED = 0.8
#: A reading must score this much better than every other to be chosen.
_MARGIN = 0.15
_CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
_HINT = "pass encoding='...' (on the command line --encoding ...) to say which"


def decode(data: bytes, document: str, encoding: str | None = None) -> tuple[str, str]:
    """Text of ``data`` and the encoding it was read with.

    Parameters
    ----------
    data : bytes
    document : str
        The file name, for errors.
    encoding : str, optional
        Any encoding Python knows; skips detection.

    Raises
    ------
    InputFileError
        When no candidate reads the file, or two read it differently.

    Examples
    --------
    >>> decode("Müller,Zürich\\n".encode("utf-8"), "a.csv")
    ('Müller,Zürich\\n', 'utf-8')
    >>> decode("Company,City\\nMüller GmbH,Gießen\\n".encode("cp1252"), "a.csv")[1]
    'windows-1252'
    >>> decode("名稱,城市\\n臺灣精密機械,臺北\\n".encode("big5"), "a.csv")
    ('名称,城市\\n台湾精密机械,台北\\n', 'big5')
    """
    if encoding is not None:
        return _decode_as(data, document, encoding)
    if data.startswith(codecs.BOM_UTF8):
        return _decode_as(data, document, "utf-8-sig")
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return _decode_as(data, document, "utf-16")
    wide = _utf16_without_bom(data)
    if wide is not None:
        return _decode_as(data, document, wide)
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError as exc:
        utf8_error = exc
    readings: list[tuple[float, str, str]] = []
    failures = [f"not UTF-8 ({_where(utf8_error)})"]
    for name in _DETECTED:
        try:
            text = data.decode(name)
        except UnicodeDecodeError as exc:
            failures.append(f"not {name} ({_where(exc)})")
            continue
        readings.append((_mess(data, name) + _implausible(text, name), name, text))
    clean = sorted(r for r in readings if r[0] <= _GARBLED)
    if not clean:
        shown = "; ".join(
            failures
            + [f"{name} reads as garbled text ({_line(text)!r})" for _, name, text in readings]
        )
        raise InputFileError(
            document,
            [
                f"cannot tell the text encoding: {shown}. Save it as UTF-8 (in Excel: Save "
                f"As, 'CSV UTF-8') and import again, or {_HINT}"
            ],
        )
    best = clean[0]
    rivals = [r for r in clean[1:] if r[0] - best[0] < _MARGIN and r[2] != best[2]]
    if rivals:
        at = _first_difference(best[2], rivals[0][2])
        shown = " or ".join(f"{name}: {_line(text, at)!r}" for _, name, text in [best, *rivals])
        raise InputFileError(
            document,
            [f"the text reads cleanly in more than one encoding ({shown}); {_HINT}"],
        )
    return _finish(best[2], best[1]), best[1]


def _decode_as(data: bytes, document: str, encoding: str) -> tuple[str, str]:
    try:
        codecs.lookup(encoding)
    except LookupError:
        raise ValueError(
            f"The 'encoding' parameter of read_profiles must be a text encoding Python knows, "
            f"such as {', '.join(CANDIDATES)}. Got {encoding!r} instead."
        ) from None
    try:
        text = data.decode(encoding)
    except UnicodeDecodeError as exc:
        raise InputFileError(
            document,
            [
                f"cannot be read as {encoding} ({_where(exc)}); save it as UTF-8 (in Excel: "
                f"Save As, 'CSV UTF-8') or pass the encoding it was saved in"
            ],
        ) from None
    return _finish(text, encoding), encoding


def _finish(text: str, encoding: str) -> str:
    text = text.removeprefix("\ufeff")
    if codecs.lookup(encoding).name in ("big5", "big5hkscs", "cp950"):
        text = to_simplified(text)
    return text


def _utf16_without_bom(data: bytes) -> str | None:
    """``utf-16-le`` or ``-be`` when zero bytes sit in every other position."""
    head = data[:65536]
    if len(head) < 4 or b"\x00" not in head:
        return None
    even, odd = head[0::2].count(0), head[1::2].count(0)
    half = len(head) // 2
    if odd > 0.3 * half and even < 0.02 * half:
        return "utf-16-le"
    if even > 0.3 * half and odd < 0.02 * half:
        return "utf-16-be"
    return None


def _mess(data: bytes, encoding: str) -> float:
    """charset-normalizer's mess ratio of one reading (0 clean, 1 garbled)."""
    from charset_normalizer import from_bytes

    match = from_bytes(data, cp_isolation=[encoding], threshold=1.0).best()
    return 1.0 if match is None else float(match.chaos)


def _implausible(text: str, encoding: str) -> float:
    """Checks beyond the detector's, from 0 (plausible) to 1, for one reading.

    * Windows-1252: in real text an accented letter stands alone in a word
      ("Müller", "Gießen"); Chinese bytes read as Windows-1252 come in runs
      ("¹«Ë¾"). The share of non-ASCII characters in runs of two or more.
    * GB18030 and Big5: the share of Chinese characters that are rare in
      that reading: outside GB2312 (and not the Traditional form of a GB2312
      character) for GB18030, outside Big5's level-1 common characters for
      Big5 (text in the wrong one of the two reads as rare characters); and
      half the share of Chinese runs inside a Latin word ("Informa玢o" is
      "Informação" read as GB18030).
    """
    if encoding == "windows-1252":
        runs = re.findall(r"[^\x00-\x7f]+", text)
        wide = sum(len(r) for r in runs if len(r) > 1)
        total = sum(len(r) for r in runs)
        return 0.5 * wide / total if total else 0.0
    chars = _CJK.findall(text)
    if not chars:
        return 0.0
    unique = sorted(set(chars))
    rare = {c for c in unique if not _common(c, encoding)}
    if rare and encoding == "gb18030":
        simplified = to_simplified("\n".join(sorted(rare))).split("\n")
        if len(simplified) == len(rare):
            rare = {
                c for c, s in zip(sorted(rare), simplified, strict=True) if not _common(s, encoding)
            }
    runs = re.findall(rf"[A-Za-z]?{_CJK.pattern}+[A-Za-z]?", text)
    inside = sum(1 for r in runs if r[0].isascii() and r[-1].isascii())
    return sum(1 for c in chars if c in rare) / len(chars) + 0.5 * inside / len(runs)


def _common(char: str, encoding: str) -> bool:
    try:
        if encoding == "gb18030":
            char.encode("gb2312")
            return True
        return 0xA4 <= char.encode("big5")[0] <= 0xC6
    except UnicodeEncodeError:
        return False


def _where(exc: UnicodeDecodeError) -> str:
    return f"byte 0x{exc.object[exc.start]:02x} at byte offset {exc.start}"


def _line(text: str, at: int | None = None) -> str:
    """Line ``at`` of ``text`` (by default the first that is not ASCII), cut short."""
    lines = text.splitlines() or [""]
    if at is None:
        at = next((i for i, line in enumerate(lines) if not line.isascii()), 0)
    return lines[min(at, len(lines) - 1)][:60]


def _first_difference(a: str, b: str) -> int:
    for i, (x, y) in enumerate(zip(a.splitlines(), b.splitlines(), strict=False)):
        if x != y:
            return i
    return 0
