"""The widget's signed session ids (channels/sessions.py)."""

import re
from typing import Any, Iterator

import pytest

from channels import secret
from channels.sessions import conversation_of, issue


@pytest.fixture(autouse=True)
def fixed_secret(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv(secret.SECRET_VARIABLE, "a" * 40)
    secret.server_secret.cache_clear()
    yield
    secret.server_secret.cache_clear()


def test_an_issued_id_names_a_new_conversation_and_verifies() -> None:
    first, second = issue(), issue()
    assert re.fullmatch(r"[0-9a-f]{32}\.[0-9a-f]{32}", first) and first != second
    assert conversation_of(first) == first.split(".")[0]


@pytest.mark.parametrize(
    "forged",
    [
        "0123456789abcdef0123456789abcdef",  # the old unsigned form
        None,
        42,
        {"session_id": "x"},
        "",
    ],
)
def test_an_id_this_deployment_did_not_issue_names_no_conversation(forged: Any) -> None:
    assert conversation_of(forged) is None


def test_an_altered_id_names_no_conversation() -> None:
    conversation, signature = issue().split(".")
    other = "f" * 32
    assert conversation_of(f"{other}.{signature}") is None
    flipped = signature[:-1] + ("0" if signature[-1] != "0" else "1")
    assert conversation_of(f"{conversation}.{flipped}") is None
    assert conversation_of(f"{conversation}.{signature} ") is None


def test_an_id_signed_with_another_secret_names_no_conversation(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    elsewhere = issue()
    monkeypatch.setenv(secret.SECRET_VARIABLE, "b" * 40)
    secret.server_secret.cache_clear()
    assert conversation_of(elsewhere) is None
    assert conversation_of(issue()) is not None
