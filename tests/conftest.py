"""Shared test helpers: project paths and the YAML the tests read."""

import sys
from pathlib import Path
from typing import Any, Dict

import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

# needs_postgresql, needs_redis, needs_tmux: skipped without, failed when CI requires them.
pytest_plugins = ["tests.support.required"]


def load_yaml(relative: str) -> Dict[str, Any]:
    """A YAML file of the project, parsed."""
    return yaml.safe_load((ROOT / relative).read_text(encoding="utf-8"))
