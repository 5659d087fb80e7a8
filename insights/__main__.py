"""``python -m insights``: see ``insights.cli``."""

from insights.cli import main

if __name__ == "__main__":
    raise SystemExit(main())
