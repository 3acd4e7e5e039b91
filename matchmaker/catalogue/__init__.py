"""Stage 1, profiles: the profile schema, the catalogue, and bringing spreadsheets in.

Owns what a profile is (:class:`~matchmaker.Profile`), the validated
collection of them (:class:`~matchmaker.Catalogue`), reading organisation
lists in many formats, and de-duplicating them against the catalogue. Nothing
here knows about vectors, scores or plans. Public names are exported from
:mod:`matchmaker`.
"""
