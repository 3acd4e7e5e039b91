"""Stage 2, vectors: the bilingual taxonomy and tagger, text encoders, the vectoriser.

Turns profiles and queries into the representations the scores compare:
concept tags, TF-IDF wording vectors and sentence embeddings. Takes profiles
from :mod:`matchmaker.catalogue`; knows nothing of scores or rankings.
"""
