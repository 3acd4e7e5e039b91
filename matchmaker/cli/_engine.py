"""The fitted engine that the command-line options ask for, shared by every command."""

from __future__ import annotations

import argparse

__all__ = ["build_engine"]


def build_engine(args: argparse.Namespace):  # type: ignore[no-untyped-def]
    """The fitted engine the command-line options ask for (catalogue, weights, encoder)."""
    from ..catalogue._catalogue import load_catalogue
    from ..ranking._engine import Matchmaker

    catalogue = load_catalogue(getattr(args, "catalogue", None))
    encoder = getattr(args, "encoder", "default")
    return Matchmaker(
        catalogue,
        weights=getattr(args, "weights", None),
        encoder=None if encoder == "none" else encoder,
    ).fit()
