"""Stage 5, export: tables and reports written to files, with cells made safe.

Writes what the other stages produce (shortlists, plans, import reports) as
CSV, XLSX, JSON or HTML; CSV and XLSX cells cannot carry formulas and HTML
escapes profile text.
"""
