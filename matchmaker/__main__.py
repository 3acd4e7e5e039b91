"""``python -m matchmaker``: the same as the ``matchmaker`` command."""

from matchmaker.cli import main

raise SystemExit(main())
