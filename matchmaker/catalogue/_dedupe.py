"""Duplicate finding for imports: name, website and postcode keys, blocking, scoring.

One job: given records (catalogue profiles first, then imported rows), find
for a row the earlier record it most likely duplicates, and say how sure we
are. Reading files and merging profiles live in :mod:`matchmaker._import`.

How a pair is judged
--------------------
* **name**: the best :func:`similarity` (0-100) between any name of one
  record and any name of the other (names, Chinese names and aliases),
  after :func:`name_key` normalisation (legal suffixes, punctuation,
  ``&``/``and``, case, full-width and Traditional Chinese), capped by the
  similarity of their distinctive parts (without words common to many
  names, see :class:`DuplicateFinder`).
* **website**: the host of both websites, without scheme, ``www.`` or path,
  is the same (shared platforms such as ``linkedin.com`` never count).
* **postcode**: both postcodes agree once spaces are removed and letters
  upper-cased.

A pair is a **merge** when the name score reaches ``merge``, every word of
one name has a counterpart in the other (a typo apart) and the websites do
not contradict each other; or when the name score reaches ``corroborated``
and the website or postcode agrees. It is a **review** when the name score
reaches ``review``, or when only the website agrees.

Blocking
--------
Comparing every row with every catalogue name does not scale (20,000 rows
against 100,000 profiles is over two billion comparisons). Each name is filed
under blocking keys (:func:`block_keys`): its words and their first and last
letters, its Chinese character pairs, its first and last three characters
and its whole compact form; websites and postcodes are keys too. A row is
scored, with RapidFuzz ``cdist``, only against the names that share a key
with it. Keys held by more than ``max_block`` names (``engineering``,
``科技``) are skipped unless the row has no rarer key; the exact compact
name is always used. One typo in a word of six or more letters always
leaves a key in common; shorter words, or typos in several words, may be
missed when the rest of the name is common.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from numbers import Real
from typing import Any

import numpy as np
import numpy.typing as npt
from rapidfuzz import fuzz, process

from .._normalise import has_cjk, normalise

__all__ = [
    "GENERIC_WORDS",
    "LEGAL_FORMS",
    "SHARED_HOSTS",
    "DuplicateFinder",
    "Match",
    "Record",
    "Thresholds",
    "block_keys",
    "core_key",
    "domain_key",
    "name_key",
    "postcode_key",
    "registrable_domain",
    "similarity",
    "website_host",
]

_CJK_CLASS = r"\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_RUNS = re.compile(rf"[{_CJK_CLASS}]+|[^\s{_CJK_CLASS}]+")
_CJK_RUN = re.compile(rf"^[{_CJK_CLASS}]+$")
_SCHEME = re.compile(r"^[a-z][a-z0-9+.\-]*://")
_HOST = re.compile(
    r"^[a-z0-9\u00a1-\uffff](?:[a-z0-9\u00a1-\uffff\-]*[a-z0-9\u00a1-\uffff])?"
    r"(?:\.[a-z0-9\u00a1-\uffff](?:[a-z0-9\u00a1-\uffff\-]*[a-z0-9\u00a1-\uffff])?)+$"
)

#: Hosts that many organisations share; agreeing on one says nothing.
SHARED_HOSTS = frozenset(
    {
        "linkedin.com",
        "uk.linkedin.com",
        "cn.linkedin.com",
        "facebook.com",
        "twitter.com",
        "x.com",
        "instagram.com",
        "youtube.com",
        "weibo.com",
        "weixin.qq.com",
        "mp.weixin.qq.com",
        "qq.com",
        "sites.google.com",
        "google.com",
        "1688.com",
        "alibaba.com",
        "made-in-china.com",
        "gov.uk",
        "service.gov.uk",
        "company-information.service.gov.uk",
        "find-and-update.company-information.service.gov.uk",
        "github.io",
        "wordpress.com",
        "wixsite.com",
    }
)

# -- keys -----------------------------------------------------------------------


_ZH_LEGAL = ("股份有限公司", "有限责任公司", "集团有限公司", "有限公司", "集团", "公司", "股份")

#: Legal forms removed from the end of a name (after punctuation is removed and
#: single letters are joined, so "S.A." is "sa"); cleanco's lists are the reference.
LEGAL_FORMS = frozenset(
    (
        # UK and Ireland
        "ltd limited plc llp lp cic cio ulc dac unlimited "
        # United States and Canada
        "inc incorporated corp corporation llc pllc pc co company lllp "
        # continental Europe
        "gmbh mbh ag kg ohg ug ev sa sas sarl sasu eurl srl spa sapa snc bv nv vof ab as asa "
        "aps oy oyj se sl slu sro kft zrt nyrt sp zoo "
        # Asia-Pacific and elsewhere
        "pte pty pvt private bhd sdn tbk kk yk ltda cv sab nl"
    ).split()
)
#: Words that turn a name into the name of a related organisation at most:
#: "Keronite International" beside "Keronite" goes to review, never merges.
GENERIC_WORDS = frozenset(
    (
        "international intl group holdings holding uk gb britain europe global worldwide "
        "china asia enterprises and"
    ).split()
)
_PUNCT = re.compile(r"[^\w\s]")


def _strip_zh_legal(token: str) -> str:
    stripped = True
    while stripped and token not in _ZH_LEGAL:
        stripped = False
        for suffix in _ZH_LEGAL:
            if token.endswith(suffix) and len(token) > len(suffix):
                token, stripped = token[: -len(suffix)], True
                break
    return token


def name_key(name: str) -> str:
    """Normalise an organisation name for comparison.

    Full-width and Traditional characters, case, punctuation and ``&``
    (as ``and``) are normalised (:func:`matchmaker._normalise.normalise`);
    runs of single letters are joined, so that an acronym written with dots
    matches the plain one; a leading "The" goes; then legal forms
    (:data:`LEGAL_FORMS`, and Chinese ones such as 有限公司 and 集团) are
    removed **from the end of the name only**. Generic words such as
    "Group" or "UK" are kept: they may name a different organisation.

    Examples
    --------
    >>> name_key("T.W.I. Ltd"), name_key("Smith & Co Ltd"), name_key("Smith Holdings plc")
    ('twi', 'smith', 'smith holdings')
    >>> name_key("The Co-operative Group"), name_key("Acme S.A.")
    ('co operative group', 'acme')
    >>> name_key("東風汽車集團有限公司"), name_key("苏州金德机械（集团）有限公司")
    ('东风汽车', '苏州金德机械')
    """
    text = _PUNCT.sub(" ", normalise(name).replace("&", " and "))
    out: list[str] = []
    run = ""
    for token in text.split():
        if len(token) == 1 and token.isascii() and token.isalpha():
            run += token
            continue
        if run:
            out.append(run)
            run = ""
        out.append(token)
    if run:
        out.append(run)
    if len(out) > 1 and out[0] == "the":
        out.pop(0)
    # "Smith & Co Ltd" leaves a dangling "and".
    while len(out) > 1 and (out[-1] in LEGAL_FORMS or out[-1] in _ZH_LEGAL or out[-1] == "and"):
        out.pop()
    if out and has_cjk(out[-1]):
        out[-1] = _strip_zh_legal(out[-1])
    return " ".join(out)


def core_key(key: str) -> str:
    """A name key without its generic words (:data:`GENERIC_WORDS`) at the end.

    Examples
    --------
    >>> core_key("keronite international uk"), core_key("group")
    ('keronite', 'group')
    """
    words = key.split()
    while len(words) > 1 and words[-1] in GENERIC_WORDS:
        words.pop()
    return " ".join(words)


@lru_cache(maxsize=1)
def _suffix_list() -> Any:
    # The public suffix list ships inside the publicsuffixlist wheel: no network.
    from publicsuffixlist import PublicSuffixList

    return PublicSuffixList()


def registrable_domain(website: str | None) -> str | None:
    """The registrable domain of a website (``uk.acme.com`` -> ``acme.com``), or None.

    Uses the public suffix list, so ``acme.co.uk`` and ``acme.com.cn`` stay
    whole. A host that is itself a public suffix, or has no dot, is kept.

    Examples
    --------
    >>> registrable_domain("https://uk.acme-coatings.com/contact")
    'acme-coatings.com'
    >>> registrable_domain("www.acme.co.uk"), registrable_domain("brochure")
    ('acme.co.uk', None)
    """
    host = website_host(website)
    if host is None:
        return None
    return str(_suffix_list().privatesuffix(host) or host)


def domain_key(website: str | None) -> str | None:
    """The registrable domain of a website, for comparison; None when there is none.

    Drops the scheme, ``www.``, any user, port, path, query and fragment,
    lower-cases, and keeps the registrable domain (:func:`registrable_domain`),
    so ``uk.acme.com`` and ``acme.com`` agree. Returns None for text that is
    not a web address and for shared platforms (:data:`SHARED_HOSTS`), which
    say nothing about identity.

    Examples
    --------
    >>> domain_key("https://www.TWI-Global.com/about-us?x=1")
    'twi-global.com'
    >>> domain_key("autocraftsg.com"), domain_key("see brochure"), domain_key(None)
    ('autocraftsg.com', None, None)
    >>> domain_key("https://www.linkedin.com/company/acme") is None
    True
    """
    host = website_host(website)
    if host is None or host in SHARED_HOSTS:
        return None
    domain = registrable_domain(host)
    if domain is None or domain in SHARED_HOSTS:
        return None
    return domain


def website_host(website: str | None) -> str | None:
    """The host of a website (``www.`` removed), or None if it has none.

    Unlike :func:`domain_key`, shared platforms are kept.

    Examples
    --------
    >>> website_host("HTTP://www.linkedin.com/company/acme")
    'linkedin.com'
    >>> website_host("info@acme.com") is None
    True
    """
    if not website:
        return None
    text = unicodedata.normalize("NFKC", website).strip().lower()
    text = _SCHEME.sub("", text).lstrip("/")
    host = re.split(r"[/?#]", text, maxsplit=1)[0]
    if "@" in host or " " in host:
        return None  # an e-mail address or prose, not a web address
    host = host.split(":", 1)[0].rstrip(".")
    host = re.sub(r"^www\d*\.", "", host)
    if not _HOST.match(host):
        return None
    return host


def postcode_key(postcode: str | None) -> str | None:
    """A postcode without spaces or hyphens, upper-cased; None when blank.

    Examples
    --------
    >>> postcode_key(" ng32 2ly "), postcode_key("４０００００"), postcode_key("")
    ('NG322LY', '400000', None)
    """
    if not postcode:
        return None
    key = re.sub(r"[\s\-]+", "", unicodedata.normalize("NFKC", postcode)).upper()
    return key or None


def _core_block(key: str) -> str:
    return "g:" + core_key(key).replace(" ", "")


def block_keys(key: str) -> list[str]:
    """The blocking keys of a normalised name (see :func:`name_key`).

    ``x:`` the whole name without spaces; ``t:`` each word of two or more
    characters, with ``a:`` and ``z:`` its first and last three letters and
    ``m:`` its first two and last two together (for words of five to seven
    letters), or its first and last four letters (seven or more); ``c:``
    each pair of
    neighbouring Chinese characters; ``p:`` and ``s:`` the first and last
    three characters of the whole name. One typo (a letter added, dropped,
    changed or two swapped) in a word of six or more letters leaves one of
    its keys intact.

    Examples
    --------
    >>> block_keys("acme hollins")
    ['x:acmehollins', 't:acme', 't:hollins', 'a:hol', 'z:ins', 'm:hons', 'a:holl', 'z:lins', 'p:acm', 's:ins']
    >>> block_keys("东风汽车")
    ['x:东风汽车', 'c:东风', 'c:风汽', 'c:汽车', 'p:东风汽', 's:风汽车']
    """
    compact = key.replace(" ", "")
    if not compact:
        return []
    out = [f"x:{compact}"]
    for run in _RUNS.findall(key):
        if _CJK_RUN.match(run):
            if len(run) == 1:
                out.append(f"c:{run}")
            out += [f"c:{run[i : i + 2]}" for i in range(len(run) - 1)]
        elif len(run) >= 2:
            out.append(f"t:{run}")
            if len(run) >= 5:
                out += [f"a:{run[:3]}", f"z:{run[-3:]}"] if len(run) <= 7 else []
                out += [f"m:{run[:2]}{run[-2:]}"] if len(run) <= 7 else []
                out += [f"a:{run[:4]}", f"z:{run[-4:]}"] if len(run) >= 7 else []
    if len(compact) > 3:
        out += [f"p:{compact[:3]}", f"s:{compact[-3:]}"]
    return list(dict.fromkeys(out))


# -- thresholds -------------------------------------------------------------------


@dataclass(frozen=True)
class Thresholds:
    """Name-similarity thresholds (0-100) for merging and flagging duplicates.

    Parameters
    ----------
    merge : float, default 95
        A name this similar is merged on its own (unless the two websites
        differ).
    corroborated : float, default 85
        A name this similar is merged when the website or postcode agrees.
    review : float, default 80
        A name this similar is flagged for review (kept as its own profile).

    Examples
    --------
    >>> Thresholds().check("read_profiles")
    Thresholds(merge=95.0, corroborated=85.0, review=80.0)
    >>> Thresholds(merge=120).check("read_profiles")
    Traceback (most recent call last):
    ...
    ValueError: The 'merge_threshold' parameter of read_profiles must be a number in [0, 100]. Got 120 instead.
    """

    merge: float = 95.0
    corroborated: float = 85.0
    review: float = 80.0

    def check(self, caller: str) -> Thresholds:
        """Validate the thresholds, returning them as floats.

        Raises
        ------
        ValueError
            For a value that is not a number in [0, 100], or thresholds out
            of order (``review <= corroborated <= merge``).
        """
        values = {}
        for name in ("merge", "corroborated", "review"):
            value = getattr(self, name)
            ok = isinstance(value, Real) and not isinstance(value, bool)
            if not ok or not 0 <= float(value) <= 100:
                raise ValueError(
                    f"The '{name}_threshold' parameter of {caller} must be a number in "
                    f"[0, 100]. Got {value!r} instead."
                )
            values[name] = float(value)
        if not values["review"] <= values["corroborated"] <= values["merge"]:
            raise ValueError(
                f"The thresholds of {caller} must satisfy review_threshold <= "
                f"corroborated_threshold <= merge_threshold. Got review_threshold="
                f"{self.review!r}, corroborated_threshold={self.corroborated!r}, "
                f"merge_threshold={self.merge!r} instead."
            )
        return Thresholds(**values)


# -- records and matches -------------------------------------------------------------


@dataclass(frozen=True)
class Record:
    """What duplicate finding needs to know about a profile or an imported row.

    Parameters
    ----------
    names : tuple of str
        Every name, as written (name, Chinese name, aliases).
    website, postcode : str, optional
        As written; keys are derived with :func:`domain_key` and
        :func:`postcode_key`.
    """

    names: tuple[str, ...]
    website: str | None = None
    postcode: str | None = None


@dataclass(frozen=True)
class Match:
    """The verdict on one pair: a record and an earlier one it may duplicate.

    Attributes
    ----------
    target : int
        Index of the earlier record.
    score : float
        Best name similarity, 0-100.
    keys : tuple of str
        Which keys agreed: ``name`` (score at least the review threshold),
        ``website``, ``postcode``.
    merge : bool
        True for an automatic merge, False for a possible duplicate to review.
    matched : str
        The target's name that matched best, as written.
    conflict : str
        Why a strong name match was not merged (the websites differ, or the
        names differ by a whole word), or "".
    """

    target: int
    score: float
    keys: tuple[str, ...]
    merge: bool
    matched: str
    conflict: str = ""


IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]
FloatArray = npt.NDArray[np.float64]


def similarity(queries: Sequence[str], choices: Sequence[str], cutoff: float = 0) -> FloatArray:
    """Name similarity matrix, 0-100, of normalised names.

    The better of RapidFuzz ``ratio`` and ``token_sort_ratio``, so that both
    a typo in a first letter and a change of word order are forgiven.
    Scores below ``cutoff`` are 0.

    Examples
    --------
    >>> similarity(["cotswold hewndaift achining", "brighton university"],
    ...            ["cotswold hewndaift machining", "university of brighton"]).round(1)
    array([[98.2, 32.7],
           [25.5, 92.7]])
    """
    plain = process.cdist(queries, choices, scorer=fuzz.ratio, score_cutoff=cutoff, workers=1)
    tokens = process.cdist(
        queries, choices, scorer=fuzz.token_sort_ratio, score_cutoff=cutoff, workers=1
    )
    return np.maximum(np.asarray(plain, dtype=np.float64), np.asarray(tokens, dtype=np.float64))


class DuplicateFinder:
    """An index of records that finds, for one record, its best earlier duplicate.

    Name similarity is the lower of two :func:`similarity` scores: of the
    whole names, and of their distinctive parts (the names
    without words that are common among all names, such as "engineering",
    and without common leading and trailing Chinese character pairs, such
    as 重庆 or 机械). "Thames Brunlo Engineering" and "Thames Brenla
    Engineering" look alike as wholes but not where it matters.

    Parameters
    ----------
    records : sequence of Record
        All records, catalogue profiles first, then imported rows in order.
        A record can only duplicate one with a smaller index.
    thresholds : Thresholds
        Checked thresholds (see :meth:`Thresholds.check`).
    max_block : int, default 500
        Blocking keys shared by more names than this are skipped, unless a
        record has no rarer key.
    common : int, optional
        A word held by more names than this is common; by default
        ``max(20, number of names // 1000)``.

    Examples
    --------
    >>> recs = [Record(("Oakdene Hollins",), "https://www.oakdenehollins.com"),
    ...         Record(("TWI",)),
    ...         Record(("Oakdene Hollins Limited",), "oakdenehollins.com/contact")]
    >>> finder = DuplicateFinder(recs, Thresholds())
    >>> m = finder.best(2, active=np.array([True, True, False]))
    >>> m.target, m.score, m.keys, m.merge
    (0, 100.0, ('name', 'website'), True)
    """

    def __init__(
        self,
        records: Sequence[Record],
        thresholds: Thresholds,
        max_block: int = 500,
        common: int | None = None,
    ) -> None:
        self.thresholds = thresholds
        self.max_block = max_block
        keys: list[str] = []
        shown: list[str] = []
        owners: list[int] = []
        starts = [0]
        block_of: dict[str, int] = {}
        pair_block: list[int] = []
        pair_key: list[int] = []
        domains: list[str | None] = []
        postcodes: list[str | None] = []
        words: Counter[str] = Counter()
        for index, record in enumerate(records):
            first = len(keys)
            seen: set[str] = set()
            for name in record.names:
                key = name_key(name)
                if not key or key in seen:
                    continue
                seen.add(key)
                k = len(keys)
                keys.append(key)
                shown.append(name)
                owners.append(index)
                for bkey in [*block_keys(key), _core_block(key)]:
                    pair_block.append(block_of.setdefault(bkey, len(block_of)))
                    pair_key.append(k)
                for run in set(_RUNS.findall(key)):
                    if not _CJK_RUN.match(run):
                        words[run] += 1
                    elif len(run) > 2:
                        words.update(
                            {f"<{run[:2]}"} | {f"{run[i : i + 2]}>" for i in range(len(run) - 1)}
                        )
            domain = domain_key(record.website)
            postcode = postcode_key(record.postcode)
            domains.append(domain)
            postcodes.append(postcode)
            for extra in (
                f"w:{domain}" if domain else None,
                f"pc:{postcode}" if postcode else None,
            ):
                if extra is None:
                    continue
                b = block_of.setdefault(extra, len(block_of))
                for k in range(first, len(keys)):
                    pair_block.append(b)
                    pair_key.append(k)
            starts.append(len(keys))
        limit = max(20, len(keys) // 1000) if common is None else common
        self._common = frozenset(w for w, n in words.items() if n > limit)
        self._common_words = [w for w in self._common if w[0] != "<" and w[-1] != ">"]
        self._near_common: dict[str, bool] = {}
        self._distinct: dict[int, str] = {}
        self._keys: npt.NDArray[np.object_] = np.array(keys, dtype=object)
        self._shown = shown
        self._owner: IntArray = np.array(owners, dtype=np.int64)
        self._start: IntArray = np.array(starts, dtype=np.int64)
        self._domain: npt.NDArray[np.object_] = np.array(domains, dtype=object)
        self._postcode: npt.NDArray[np.object_] = np.array(postcodes, dtype=object)
        self._block_of = block_of
        blocks = np.array(pair_block, dtype=np.int64)
        members = np.array(pair_key, dtype=np.int64)
        order = np.lexsort((members, blocks))
        self._members: IntArray = members[order]
        counts = np.bincount(blocks, minlength=len(block_of))
        self._offsets: IntArray = np.concatenate([[0], np.cumsum(counts)]).astype(np.int64)

    def __len__(self) -> int:
        return len(self._start) - 1

    def _names(self, record: int) -> list[str]:
        return list(self._keys[self._start[record] : self._start[record + 1]])

    def distinctive(self, key: str) -> str:
        """A normalised name without its common words and Chinese affixes.

        Examples
        --------
        >>> f = DuplicateFinder([Record((f"Firm{i} Engineering",)) for i in range(30)],
        ...                     Thresholds())
        >>> f.distinctive("thames brunlo engineering")
        'thames brunlo'
        """
        kept = []
        for run in _RUNS.findall(key):
            if _CJK_RUN.match(run):
                if len(run) > 3 and f"<{run[:2]}" in self._common:
                    run = run[2:]
                while len(run) > 3 and f"{run[-2:]}>" in self._common:
                    run = run[:-2]
                if len(run) > 2 or f"{run}>" not in self._common:
                    kept.append(run)  # a lone common pair, as in 有限公司（科技）, is dropped
            elif not self._is_common(run):
                kept.append(run)
        return " ".join(kept)

    def _is_common(self, word: str) -> bool:
        """A common word, or one typo away from one ("machinng", "plastcs")."""
        if word in self._common:
            return True
        if len(word) < 5 or not self._common_words:
            return False
        near = self._near_common.get(word)
        if near is None:
            hit = process.extractOne(word, self._common_words, scorer=fuzz.ratio, score_cutoff=80)
            near = self._near_common[word] = hit is not None
        return near

    def _distinct_of(self, k: int) -> str:
        text = self._distinct.get(k)
        if text is None:
            text = self._distinct[k] = self.distinctive(str(self._keys[k]))
        return text

    def _adjust(self, raw: FloatArray, mine: IntArray, theirs: IntArray) -> FloatArray:
        """Lower each whole-name score to the score of the distinctive parts."""
        out = raw.copy()
        for a, b in zip(*np.nonzero(raw), strict=True):
            da, db = self._distinct_of(int(mine[a])), self._distinct_of(int(theirs[b]))
            if da == db:
                continue
            part = max(fuzz.ratio(da, db), fuzz.token_sort_ratio(da, db)) if da and db else 0.0
            out[a, b] = min(out[a, b], part)
        return out

    def candidates(self, query: int) -> IntArray:
        """Name indices that share a usable blocking key with record ``query``."""
        lo, hi = self._start[query], self._start[query + 1]
        bkeys: list[str] = []
        for key in self._keys[lo:hi]:
            bkeys += [*block_keys(str(key)), _core_block(str(key))]
        for extra, value in (("w:", self._domain[query]), ("pc:", self._postcode[query])):
            if value:
                bkeys.append(extra + str(value))
        known = [k for k in dict.fromkeys(bkeys) if k in self._block_of]
        if not known:
            return np.zeros(0, dtype=np.int64)
        block_ids = np.array([self._block_of[k] for k in known], dtype=np.int64)
        sizes = self._offsets[block_ids + 1] - self._offsets[block_ids]
        usable = sizes <= self.max_block
        exact = np.array([k.startswith(("x:", "g:")) for k in known], dtype=bool)
        chosen = block_ids[usable | exact]
        if not usable.any():
            chosen = np.union1d(chosen, block_ids[[int(np.argmin(sizes))]])
        parts = [self._members[self._offsets[b] : self._offsets[b + 1]] for b in chosen]
        return np.unique(np.concatenate(parts)) if parts else np.zeros(0, dtype=np.int64)

    def best(self, query: int, active: BoolArray) -> Match | None:
        """The best earlier duplicate of record ``query``, or None.

        Parameters
        ----------
        query : int
            Index of the record to look up.
        active : ndarray of bool
            Which records may be matched (e.g. not rejected rows). Only
            records with an index below ``query`` are considered.

        Returns
        -------
        Match or None
            The strongest verdict: a merge beats a review; then the higher
            name score, more agreeing keys, and the earlier record.
        """
        lo, hi = int(self._start[query]), int(self._start[query + 1])
        cand = self.candidates(query)
        if lo == hi or cand.size == 0:
            return None
        owner = self._owner[cand]
        keep = (owner < query) & active[owner]
        cand, owner = cand[keep], owner[keep]
        if cand.size == 0:
            return None
        t = self.thresholds
        raw = similarity(list(self._keys[lo:hi]), list(self._keys[cand]), t.review)
        scores = self._adjust(raw, np.arange(lo, hi), cand).max(axis=0)
        starts = np.concatenate([[0], np.flatnonzero(np.diff(owner)) + 1])
        records = owner[starts]
        best_score = np.maximum.reduceat(scores, starts)
        dom, dom_conflict, post = self._agreement(query, records)
        corroborated = (best_score >= t.corroborated) & (dom | post)
        merge = ((best_score >= t.merge) & ~dom_conflict) | corroborated
        for i in np.flatnonzero(merge & ~corroborated):
            merge[i] = self._words_agree(query, int(records[i]))
        extends = self._extends(query, cand, starts)
        merge &= ~extends
        review = ~merge & ((best_score >= t.review) | dom | extends)
        rank = 2 * merge.astype(np.int64) + review.astype(np.int64)
        if not rank.any():
            return None
        agree = dom.astype(np.int64) + post.astype(np.int64)
        order = np.lexsort((records, -agree, -best_score, -rank))
        return self.compare(query, int(records[order[0]]))

    def _block(self, key: str) -> IntArray:
        b = self._block_of.get(key)
        if b is None:
            return np.zeros(0, dtype=np.int64)
        return self._members[self._offsets[b] : self._offsets[b + 1]]

    def _extends(self, query: int, cand: IntArray, starts: IntArray) -> BoolArray:
        """Per candidate record: a name of one is a name of the other plus generic words.

        "Keronite International" beside "Keronite": the same core
        (:func:`core_key`), no name in common.
        """
        names = [str(k) for k in self._names(query)]
        same_core = np.concatenate([self._block(_core_block(k)) for k in names])
        same_name = np.concatenate([self._block("x:" + k.replace(" ", "")) for k in names])
        ext = np.logical_or.reduceat(np.isin(cand, same_core), starts)
        exact = np.logical_or.reduceat(np.isin(cand, same_name), starts)
        return np.asarray(ext & ~exact, dtype=bool)

    def _extension(self, query: int, target: int) -> str:
        """The generic words by which one record's names extend the other's, or ""."""
        mine = {k.replace(" ", ""): k for k in map(str, self._names(query))}
        theirs = {k.replace(" ", ""): k for k in map(str, self._names(target))}
        if mine.keys() & theirs.keys():
            return ""
        for a in mine.values():
            for b in theirs.values():
                if _core_block(a) == _core_block(b):
                    return " ".join(sorted(set(a.split()) ^ set(b.split())))
        return ""

    def _words_agree(self, query: int, target: int) -> bool:
        """Whether some name of each record has every word matched in the other.

        A merge on the name alone needs this: "Water pollution control
        equipment" and "Air pollution control equipment" score 90 but differ
        by a whole word. Words match when RapidFuzz ``ratio`` is at least 80
        (a typo) and common words (see :meth:`distinctive`) may be missing.
        """
        t = self.thresholds
        for a in self._names(query):
            for b in self._names(target):
                if max(fuzz.ratio(a, b), fuzz.token_sort_ratio(a, b)) < t.merge:
                    continue
                wa, wb = _RUNS.findall(a), _RUNS.findall(b)
                if all(self._has_match(w, wb) for w in wa) and all(
                    self._has_match(w, wa) for w in wb
                ):
                    return True
        return False

    def _has_match(self, word: str, others: list[str]) -> bool:
        if any(fuzz.ratio(word, other) >= 80 for other in others):
            return True
        return word in self._common

    def _agreement(self, query: int, records: IntArray) -> tuple[BoolArray, BoolArray, BoolArray]:
        domain, postcode = self._domain[query], self._postcode[query]
        none = np.zeros(len(records), dtype=bool)
        if domain:
            theirs = self._domain[records]
            dom = np.asarray(theirs == domain, dtype=bool)
            conflict = np.asarray(theirs != None, dtype=bool) & ~dom  # noqa: E711 - elementwise
        else:
            dom, conflict = none, none
        post = np.asarray(self._postcode[records] == postcode, dtype=bool) if postcode else none
        return dom, conflict, post

    def compare(self, query: int, target: int) -> Match:
        """The verdict on one pair, scored without blocking or cut-offs.

        Examples
        --------
        >>> f = DuplicateFinder([Record(("Smith Engineering",), postcode="S1 2AB"),
        ...                      Record(("Smyth Engineering Ltd",), postcode="s12ab")],
        ...                     Thresholds())
        >>> m = f.compare(1, 0)
        >>> round(m.score, 1), m.keys, m.merge
        (94.1, ('name', 'postcode'), True)
        """
        t = self.thresholds
        lo, hi = int(self._start[query]), int(self._start[query + 1])
        tlo, thi = int(self._start[target]), int(self._start[target + 1])
        score, matched = 0.0, ""
        if lo < hi and tlo < thi:
            raw = similarity(list(self._keys[lo:hi]), list(self._keys[tlo:thi]))
            matrix = self._adjust(raw, np.arange(lo, hi), np.arange(tlo, thi))
            flat = int(np.argmax(matrix))
            score = float(matrix.flat[flat])
            matched = self._shown[tlo + flat % (thi - tlo)]
        dom_arr, conflict_arr, post_arr = self._agreement(query, np.array([target], dtype=np.int64))
        dom, conflict, post = bool(dom_arr[0]), bool(conflict_arr[0]), bool(post_arr[0])
        corroborated = score >= t.corroborated and (dom or post)
        extra = self._extension(query, target)
        merge = not extra and (
            corroborated or (score >= t.merge and not conflict and self._words_agree(query, target))
        )
        keys = tuple(
            k for k, ok in (("name", score >= t.review), ("website", dom), ("postcode", post)) if ok
        )
        why = ""
        if extra:
            why = (
                f"one name adds {extra!r} to the other: perhaps a related organisation (a "
                "branch, a subsidiary, a parent)"
            )
        elif conflict and score >= t.merge:
            why = (
                f"names agree but websites differ ({self._domain[query]} vs {self._domain[target]})"
            )
        elif score >= t.merge and not merge:
            why = "the names differ by a whole word"
        return Match(target, score, keys, merge, matched, why)
