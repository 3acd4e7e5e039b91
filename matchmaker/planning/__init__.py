"""Stage 4, plans: capacity-limited mission plans, 1:1 meeting schedules, consortia.

Takes a fitted engine's component scores as input and solves assignment
problems over them; never changes how a pair is scored.
"""
