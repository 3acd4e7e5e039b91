"""Importing 20,000 rows against a 100,000-profile catalogue (target: < 30 s, < 2 GiB).

Synthetic but realistic-ish data from a seeded RNG: English firm names built
from invented surnames and place words, trade words and legal suffixes;
about one in ten names Chinese (city + brand + trade + 有限公司); websites
and postcodes for most. Five per cent of the rows are near-duplicates of
catalogue firms (legal suffix changed, one typo, ``&``/``and``, letter case,
Traditional characters, a ``www.`` website), one per cent repeat an earlier
row of the same file, the rest are new firms.

The import (reading the CSV, validating every row, blocked de-duplication,
merging) is timed end to end. The reference is the naive approach: every row
compared with every catalogue name and every earlier row with RapidFuzz
(``process.cdist``, both cores). It would take minutes, so it is measured on
a sample of rows and extrapolated; the table says so.

Run: python benchmarks/bench_import.py [--rows 20000] [--catalogue 100000]
"""

from __future__ import annotations

import argparse
import csv
import random
import resource
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np
from _bench import peak_mib, print_table, timed
from rapidfuzz import fuzz, process

from matchmaker import Catalogue, Profile
from matchmaker.catalogue._dedupe import Thresholds, name_key
from matchmaker.catalogue._import import read_profiles

ONSETS = [
    "b",
    "br",
    "c",
    "ch",
    "d",
    "dr",
    "f",
    "g",
    "gr",
    "h",
    "k",
    "l",
    "m",
    "n",
    "p",
    "pr",
    "r",
    "s",
    "sh",
    "st",
    "t",
    "th",
    "tr",
    "v",
    "w",
    "y",
    "z",
    "bl",
    "cl",
    "fl",
]
VOWELS = ["a", "e", "i", "o", "u", "ai", "ea", "oo", "ou", "y"]
CODAS = ["", "n", "r", "l", "m", "s", "th", "ck", "ng", "rd", "ft", "x", "wn", "ll", "rn"]
PLACES = [
    "",
    "",
    "",
    "Northern",
    "Midland",
    "Albion",
    "Pennine",
    "Severn",
    "Thames",
    "Solent",
    "Humber",
    "Mersey",
    "Clyde",
    "Tyne",
    "Cotswold",
    "Mendip",
    "Chiltern",
    "Fenland",
]
TRADES = [
    "Engineering",
    "Precision",
    "Coatings",
    "Remanufacturing",
    "Hydraulics",
    "Motors",
    "Composites",
    "Laser Systems",
    "Surface Technology",
    "Castings",
    "Forgings",
    "Fabrications",
    "Automation",
    "Recycling",
    "Water Technologies",
    "Energy",
    "Materials",
    "Instruments",
    "Tooling",
    "Components",
    "Plastics",
    "Electronics",
    "Consulting",
    "Robotics",
    "Welding",
    "Machining",
    "Polymers",
    "Foundry",
]
SUFFIXES = ["Ltd", "Limited", "plc", "Group", "Group Ltd", "LLP", "", "UK Ltd", "& Co Ltd"]
CITIES_ZH = [
    "重庆",
    "上海",
    "苏州",
    "无锡",
    "常州",
    "宁波",
    "杭州",
    "青岛",
    "大连",
    "天津",
    "武汉",
    "成都",
    "西安",
    "长沙",
    "合肥",
    "济南",
    "沈阳",
    "广州",
    "深圳",
    "厦门",
]
# Brand names (字号) draw on many characters; a small pool would make unrelated
# firms look alike far more often than real ones do.
BRAND_ZH = list(
    dict.fromkeys(
        "华鑫盛达恒源泰祥瑞丰宏宇隆昌永兴金海天龙凯博远航汇通德信诚明科阳光正润东方中南北"
        "新嘉益康安宁福寿富贵荣庆和顺吉利美佳鼎立建业创成联合力合众汇川江河山林森磊晶钢"
        "铁石玉宝珠云星月日辰峰岩松柏青蓝红紫白黑英豪杰俊雄伟豪弘毅勤奋思远志高翔飞腾跃"
        "振奇特精工巧匠艺品质量诺亚欧美亚太环宇球际邦晟昊旭昕晨曦朗睿智慧聪颖灵秀雅逸"
    )
)
TRADE_ZH = [
    "机械",
    "再制造",
    "科技",
    "环保",
    "新材料",
    "精密",
    "激光",
    "智能装备",
    "汽车零部件",
    "液压",
    "电机",
    "表面工程",
    "节能",
    "水处理",
    "模具",
]
LEGAL_ZH = ["有限公司", "股份有限公司", "集团有限公司", "科技有限公司"]
TRADITIONAL = str.maketrans(
    {
        "机": "機",
        "制": "製",
        "环": "環",
        "保": "保",
        "华": "華",
        "达": "達",
        "泰": "泰",
        "龙": "龍",
        "汇": "匯",
        "通": "通",
        "车": "車",
        "电": "電",
        "节": "節",
        "处": "處",
        "苏": "蘇",
        "无": "無",
        "锡": "錫",
        "庆": "慶",
        "宁": "寧",
        "杭": "杭",
    }
)


def word(rng: random.Random) -> str:
    syllables = rng.choice([2, 2, 3])
    text = "".join(
        rng.choice(ONSETS) + rng.choice(VOWELS) + rng.choice(CODAS) for _ in range(syllables)
    )
    return text.capitalize()


def english_name(rng: random.Random) -> tuple[str, str]:
    """A name and its core (without the legal suffix)."""
    parts = [word(rng)]
    if rng.random() < 0.3:
        parts.append(rng.choice(["&", "and"]) + " " + word(rng))
    place = rng.choice(PLACES)
    if place:
        parts.insert(0, place)
    parts.append(rng.choice(TRADES))
    core = " ".join(parts)
    suffix = rng.choice(SUFFIXES)
    return (f"{core} {suffix}".strip(), core)


def chinese_name(rng: random.Random) -> tuple[str, str]:
    core = rng.choice(CITIES_ZH) + "".join(rng.sample(BRAND_ZH, 2)) + rng.choice(TRADE_ZH)
    return core + rng.choice(LEGAL_ZH), core


def website_for(core: str, rng: random.Random) -> str:
    slug = "".join(c for c in core.lower() if c.isascii() and c.isalnum())[:20]
    if not slug:
        slug = "cn" + str(rng.randrange(10**8))
    return f"https://www.{slug}{rng.choice(['.co.uk', '.com', '.cn', '.com.cn'])}"


def postcode(rng: random.Random, chinese: bool) -> str:
    if chinese:
        return str(rng.randrange(100000, 860000))
    letters = "ABCDEFGHJKLMNPRSTUWYZ"
    return (
        f"{rng.choice(letters)}{rng.choice(letters)}{rng.randrange(1, 30)} "
        f"{rng.randrange(1, 10)}{rng.choice(letters)}{rng.choice(letters)}"
    )


def typo(text: str, rng: random.Random) -> str:
    positions = [i for i, c in enumerate(text) if c.isalpha()]
    i = rng.choice(positions[2:-2] or positions)
    kind = rng.choice(["drop", "swap", "double", "replace"])
    if kind == "drop":
        return text[:i] + text[i + 1 :]
    if kind == "swap" and i + 1 < len(text):
        return text[:i] + text[i + 1] + text[i] + text[i + 2 :]
    if kind == "double":
        return text[:i] + text[i] + text[i:]
    return text[:i] + rng.choice("aeiou") + text[i + 1 :]


def variant(name: str, core: str, rng: random.Random) -> str:
    """A spelling of the same firm that an officer might receive."""
    if any("\u4e00" <= c <= "\u9fff" for c in name):
        choice = rng.choice(["legal", "traditional", "fullwidth"])
        if choice == "legal":
            return core + rng.choice(LEGAL_ZH)
        if choice == "traditional":
            return name.translate(TRADITIONAL)
        return core + "（" + rng.choice(LEGAL_ZH) + "）"
    choice = rng.choice(["legal", "typo", "case", "and", "typo", "legal"])
    if choice == "legal":
        return f"{core} {rng.choice(['Ltd', 'Limited', 'Ltd.', 'plc', 'Group'])}"
    if choice == "typo":
        return typo(core, rng) + " Ltd"
    if choice == "case":
        return name.upper()
    return core.replace(" and ", " & ") if " and " in core else core.replace(" & ", " and ")


def make_catalogue(n: int, rng: random.Random) -> tuple[Catalogue, list[tuple[str, str]]]:
    profiles, cores, seen = [], [], set()
    src = [{"document": "Synthetic benchmark", "section": "Table 1"}]
    while len(profiles) < n:
        chinese = rng.random() < 0.1
        name, core = chinese_name(rng) if chinese else english_name(rng)
        key = name_key(name)
        if key in seen:
            continue
        seen.add(key)
        i = len(profiles)
        profiles.append(
            Profile.model_validate(
                {
                    "id": f"p{i}",
                    "name": name,
                    "country": "CN" if chinese else "GB",
                    "kind": "company",
                    "offers": [rng.choice(TRADES).lower()],
                    "sources": src,
                    "website": website_for(core, rng) if rng.random() < 0.6 else None,
                    "postcode": postcode(rng, chinese) if rng.random() < 0.6 else None,
                }
            )
        )
        cores.append((name, core))
    return Catalogue(profiles), cores


def make_rows(
    n: int, catalogue: Catalogue, cores: list[tuple[str, str]], rng: random.Random
) -> tuple[list[list[str]], dict[int, str]]:
    """Input rows and the truth: spreadsheet row number -> catalogue id it duplicates."""
    header = ["Company Name", "Website", "Postcode", "Capabilities", "Country"]
    rows, truth, earlier = [header], {}, []
    profiles = list(catalogue)
    catalogue_keys = {name_key(p.name) for p in profiles}
    for r in range(n):
        number = r + 2
        roll = rng.random()
        if roll < 0.05:
            k = rng.randrange(len(profiles))
            p = profiles[k]
            name = variant(*cores[k], rng)
            site = p.website if p.website and rng.random() < 0.5 else ""
            code = p.postcode if p.postcode and rng.random() < 0.3 else ""
            truth[number] = p.id
            rows.append([name, site or "", code or "", "remanufacturing services", p.country])
            continue
        if roll < 0.06 and earlier:
            rows.append(list(rng.choice(earlier)))
            continue
        while True:
            chinese = rng.random() < 0.1
            name, core = chinese_name(rng) if chinese else english_name(rng)
            if name_key(name) not in catalogue_keys:
                break
        row = [
            name,
            website_for(core, rng) if rng.random() < 0.5 else "",
            postcode(rng, chinese) if rng.random() < 0.5 else "",
            rng.choice(TRADES).lower(),
            "CN" if chinese else "GB",
        ]
        rows.append(row)
        earlier.append(row)
    return rows, truth


def naive_seconds(
    rows: list[list[str]], catalogue: Catalogue, picks: list[int], cutoff: float
) -> tuple[float, dict[int, str]]:
    """All-pairs RapidFuzz for the sampled rows; returns seconds per row and best matches.

    Every sampled row is scored against every catalogue name and every earlier
    row of the file, with the same two scorers as the import (``ratio`` and
    ``token_sort_ratio``) and both cores.
    """
    keys, owners = [], []
    for p in catalogue:
        for name in p.names:
            keys.append(name_key(name))
            owners.append(p.id)
    row_keys = [name_key(r[0]) for r in rows[1:]]
    found: dict[int, str] = {}
    start = time.perf_counter()
    for i in picks:
        choices = keys + row_keys[:i]
        scores = np.maximum(
            process.cdist(
                [row_keys[i]], choices, scorer=fuzz.ratio, score_cutoff=cutoff, workers=-1
            )[0],
            process.cdist(
                [row_keys[i]],
                choices,
                scorer=fuzz.token_sort_ratio,
                score_cutoff=cutoff,
                workers=-1,
            )[0],
        )
        best = int(np.argmax(scores))
        if scores[best] >= cutoff and best < len(keys):
            found[i + 2] = owners[best]
    return (time.perf_counter() - start) / len(picks), found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=20_000)
    parser.add_argument("--catalogue", type=int, default=100_000)
    parser.add_argument("--sample", type=int, default=200, help="rows for the naive reference")
    parser.add_argument("--repeat", type=int, default=2, help="timed runs of the import")
    args = parser.parse_args()
    rng = random.Random(20240601)
    t0 = time.perf_counter()
    catalogue, cores = make_catalogue(args.catalogue, rng)
    rows, truth = make_rows(args.rows, catalogue, cores, rng)
    setup = time.perf_counter() - t0
    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    results: list[Any] = []
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "registrations.csv"
        with path.open("w", encoding="utf-8", newline="") as fh:
            csv.writer(fh).writerows(rows)

        def run() -> None:
            results.append(read_profiles(path, catalogue=catalogue, kind="company"))

        times = timed(run, repeat=args.repeat)
        rss_after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        heap = peak_mib(run)
    result = results[-1]
    report = result.report
    got = dict(zip(report["row"], report["duplicate_of"], strict=True))
    status = dict(zip(report["row"], report["status"], strict=True))
    found = sum(1 for r, pid in truth.items() if got.get(r) == pid)
    merged_right = sum(1 for r, pid in truth.items() if got.get(r) == pid and status[r] == "merged")
    wrong = sum(
        1
        for r, s in status.items()
        if s == "merged" and truth.get(r) != got.get(r) and not str(got.get(r)).startswith("row ")
    )

    # The naive reference on a sample that holds every kind of row.
    planted = sorted(r - 2 for r in truth)
    others = [i for i in range(args.rows) if i + 2 not in truth]
    share = max(1, round(args.sample * len(truth) / args.rows))
    picks = sorted(
        rng.sample(planted, min(share, len(planted)))
        + rng.sample(others, args.sample - min(share, len(planted)))
    )
    per_row, naive_found = naive_seconds(rows, catalogue, picks, Thresholds().review)
    naive = per_row * args.rows
    sample_planted = [i + 2 for i in picks if i + 2 in truth]
    naive_right = sum(1 for r in sample_planted if naive_found.get(r) == truth[r])
    blocked_right = sum(1 for r in sample_planted if got.get(r) == truth[r])

    print(f"setup (not timed): {setup:.1f} s", file=sys.stderr)
    print_table(
        f"Import and de-duplicate {args.rows:,} rows against {len(catalogue):,} profiles "
        f"({len(truth):,} planted near-duplicates)",
        [
            {
                "case": "read_profiles: read CSV, validate, blocked de-duplication, merge",
                "median_s": times["median_ms"] / 1000,
                "best_s": times["best_ms"] / 1000,
                "peak_heap_MiB": heap,
                "rss_growth_MiB": rss_after - rss_before,
                "process_max_rss_MiB": rss_after,
            },
            {
                "case": f"naive all-pairs cdist (comparisons only), {len(picks)} rows timed, "
                f"extrapolated x{args.rows / len(picks):.0f}",
                "median_s": naive,
                "best_s": float("nan"),
                "peak_heap_MiB": float("nan"),
                "rss_growth_MiB": float("nan"),
                "process_max_rss_MiB": float("nan"),
            },
        ],
    )
    print(
        f"\ntargets: < 30 s and < 2048 MiB; speed-up over the naive comparisons: "
        f"{naive / (times['median_ms'] / 1000):.0f}x"
    )
    print("statuses: " + ", ".join(f"{k} {v:,}" for k, v in result.summary().items()))
    print(
        f"planted near-duplicates linked to the right profile: {found:,}/{len(truth):,} "
        f"({found / len(truth):.1%}; merged automatically {merged_right:,}, the rest flagged "
        "for review)"
    )
    print(f"rows merged into a catalogue profile they do not duplicate: {wrong:,}")
    print(
        f"on the naive sample's {len(sample_planted)} planted rows: naive best match right "
        f"{naive_right}, blocked import right {blocked_right}"
    )


if __name__ == "__main__":
    main()
