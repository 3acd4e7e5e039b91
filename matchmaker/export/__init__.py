"""Stage 5, export: results written to files that carry their context.

``matchmaker.write(result, path)`` is the one entry point (``_write``). Each
result becomes one neutral report (``_report``); each format has its own
writer: CSV and JSON (``_tables``), an XLSX report (``_xlsx``) and a
standalone HTML briefing drawn from Jinja2 templates (``_html``,
``templates/``). Safe cells (``_cells``): no formula can run, no markup can
be injected, and no character a profile can hold breaks a file.
"""
