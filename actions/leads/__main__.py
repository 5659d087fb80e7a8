"""``python -m actions.leads``: see ``actions.leads.cli``.

The guard matters beyond habit: the action server imports every module of
``actions``, this one included, and must not run a command when it does.
"""

from actions.leads.cli import main

if __name__ == "__main__":
    raise SystemExit(main())
