"""The fitted engine that the command-line options ask for, shared by every command."""

from __future__ import annotations

import argparse

__all__ = ["build_engine"]


def build_engine(args: argparse.Namespace):  # type: ignore[no-untyped-def]
    """The fitted engine the command-line options ask for (catalogue, weights, model)."""
    from ..catalogue._catalogue import load_catalogue
    from ..ranking._engine import Matchmaker
    from ..vectors._vectorizer import ProfileVectorizer

    catalogue = load_catalogue(getattr(args, "catalogue", None))
    vectorizer = ProfileVectorizer(semantic_model=getattr(args, "semantic_model", None))
    return Matchmaker(
        catalogue, weights=getattr(args, "weights", None), vectorizer=vectorizer
    ).fit()
