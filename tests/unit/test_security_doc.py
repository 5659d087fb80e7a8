"""SECURITY.md names the tests that show each protection: they must exist.

A renamed or deleted test would otherwise leave the page claiming a proof that
no longer runs.
"""

import re

from tests.support.content import ROOT

SECURITY = (ROOT / "SECURITY.md").read_text(encoding="utf-8")


def test_every_test_security_md_cites_exists() -> None:
    files = set(re.findall(r"`(tests/[\w/]+\.py)(?:::\w+)?`", SECURITY))
    assert files and all((ROOT / path).is_file() for path in files), files
    defined = {
        name
        for path in files
        for name in re.findall(r"^(?:async )?def (test_\w+)", (ROOT / path).read_text(), re.M)
    }
    modules = {path.rsplit("/", 1)[1].removesuffix(".py") for path in files}
    cited = set(re.findall(r"\b(test_\w+)\b", SECURITY)) - modules
    assert cited <= defined, sorted(cited - defined)


def test_security_md_says_what_is_still_open() -> None:
    open_work = SECURITY.split("## Not handled yet", 1)[1]
    assert "Erasure" in open_work
    assert "Out of scope" in SECURITY
