"""Stage 3, ranking: component scores, weights, the engine, shortlists, explanations, caveats.

Compares need vectors with offer vectors component by component, keeps every
component, weighs them into a total, and hands out shortlists whose
explanations are drawn from the kept components.
"""
