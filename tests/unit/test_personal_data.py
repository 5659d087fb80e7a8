"""The log check of the end-to-end session finds a test visitor's data in any format."""

from pathlib import Path

import pytest

from tests.support.personal_data import found_in, visitor_patterns


def test_the_test_visitors_addresses_and_phones_are_known() -> None:
    patterns = [pattern.pattern for pattern in visitor_patterns()]
    assert any("jeanne" in pattern for pattern in patterns)
    assert not any("fr\\-consultants" in pattern for pattern in patterns)


@pytest.mark.parametrize(
    "line",
    [
        "lead for Jeanne.Dupont@Exemple.fr stored",
        "phone +33612345678",
        "phone 06 12 34 56 78",
        "phone 06.12.34.56.78",
    ],
)
def test_a_log_with_a_visitors_address_or_phone_is_found(tmp_path: Path, line: str) -> None:
    (tmp_path / "rasa.log").write_text(f"INFO something\n{line}\n", encoding="utf-8")
    assert found_in(tmp_path) != []


def test_a_clean_log_passes(tmp_path: Path) -> None:
    clean = "2026-11-26 12:34:56 INFO lead PTCE-7KQ4-M9XR stored, e-mail j***@exemple.fr\n"
    (tmp_path / "actions.log").write_text(clean, encoding="utf-8")
    assert found_in(tmp_path) == []
