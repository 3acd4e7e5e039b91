"""``python -m matchmaker``: the same as the ``matchmaker`` command."""

from matchmaker._cli import main

raise SystemExit(main())
