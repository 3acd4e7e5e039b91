"""``matchmaker shortlist``: rank partners for one need, on the terminal or into a file."""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING

from ._terminal import table, wrap

if TYPE_CHECKING:
    from ..ranking._explain import Explanation
    from ..ranking._shortlist import Shortlist

__all__ = ["render_explanation", "render_shortlist", "shortlist_command"]


def render_shortlist(shortlist: Shortlist) -> str:
    """The headline, then a left-aligned table wrapped to the terminal."""
    rows = [
        [rank, p.name, f"{score:.3f}", strength, shortlist.explain(rank).reason]
        for rank, (p, score, strength) in enumerate(
            zip(shortlist.candidates, shortlist.total, shortlist.strength, strict=True), start=1
        )
    ]
    body = (
        table(rows, ["rank", "name", "score", "strength", "reasons"]) if rows else "(no candidates)"
    )
    return f"{wrap(shortlist.headline())}\n{body}"


def render_explanation(explanation: Explanation) -> str:
    """An explanation for the terminal: lines wrapped, the component table fitted."""
    c = explanation.candidate
    lines = [
        wrap(f"{c.name} [{c.id}, {c.country}, {c.kind}]"),
        wrap(f"for: {explanation.query}"),
        wrap(f"score {explanation.score:.3f} ({explanation.strength}): {explanation.reason}"),
        "",
        table(
            [
                [
                    r.component,
                    f"{r.raw:.3f}",
                    f"{r.weight:.3f}",
                    f"{r.contribution:.3f}",
                    r.sentence,
                ]
                for r in explanation.components.itertuples()
            ],
            ["component", "raw", "weight", "contribution", "sentence"],
        ),
    ]
    concepts = explanation.concepts
    matched = concepts[concepts.relation != "not covered"]
    if len(matched):
        lines += ["", "Matched concepts (need phrase -> candidate phrase):"]
        lines += [
            wrap(
                f"- {r.label}: {r.need_phrase!r} -> {r.offer_phrase!r} "
                f"({r.relation}, credit {r.credit:.2f})",
                indent="  ",
            )
            for r in matched.itertuples()
        ]
    missing = concepts[concepts.relation == "not covered"]
    if len(missing):
        lines.append(wrap("Not covered: " + ", ".join(missing.label)))
    if explanation.backward is not None:
        lines.append(
            wrap(
                "Reverse direction (candidate's needs against the query's offers): "
                + ", ".join(f"{k} {v:.2f}" for k, v in explanation.backward.items())
            )
        )
    if len(explanation.caveats):
        lines += ["", "Caveats:"]
        lines += [
            wrap(f"! {r.text} ({r.source})", indent="  ") for r in explanation.caveats.itertuples()
        ]
    return "\n".join(lines)


def shortlist_command(args: argparse.Namespace) -> int:
    """Rank partners for ``args.query``; print them, or write them to ``args.out``."""
    from ..export._write import check_format, render, write
    from ._engine import build_engine

    fmt = None if args.format == "table" else args.format
    if args.out:
        fmt = check_format(args.out, fmt)  # refuse a bad suffix before any work
    engine = build_engine(args)
    shortlist = engine.shortlist(
        args.query,
        k=args.top,
        country=args.country,
        kind=args.kind,
        direction=args.direction,
    )
    if args.out:
        written = write(shortlist, args.out, format=fmt)
        print(wrap(shortlist.headline()))
        print(f"{len(shortlist)} candidates written to {written}")
    elif fmt is None:
        print(render_shortlist(shortlist))
    else:
        # How the query was read goes to standard error, never into a piped table.
        print(wrap(shortlist.headline()), file=sys.stderr)
        sys.stdout.buffer.write(render(shortlist, fmt))
        sys.stdout.flush()
    if args.explain:
        explanation = shortlist.explain(args.explain)
        print(file=sys.stderr if fmt and not args.out else sys.stdout)
        print(
            render_explanation(explanation), file=sys.stderr if fmt and not args.out else sys.stdout
        )
    return 0
