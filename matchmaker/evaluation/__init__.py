"""Beside the flow: ranking metrics and judgements, weight tuning, the outcomes log.

Measures a fitted engine against graded judgements and recorded outcomes and
searches weights; it may use every stage, and no stage uses it.
"""
