"""Replies to the consent notice told by their words (actions/consent_replies.py)."""

import pytest

from actions.consent_replies import confirms, declines, gives_details


@pytest.mark.parametrize(
    "text, yes",
    [
        ("ok", True),
        ("c bon", True),
        ("Parfait, je confirme.", True),
        ("ouais d'accord", True),
        ("ok mais pourquoi ?", False),
        ("c pas bon", False),
        ("euh attendez", False),
    ],
)
def test_a_yes_in_words_is_told_from_a_reservation(text: str, yes: bool) -> None:
    assert confirms(text) is yes


@pytest.mark.parametrize(
    "text, no",
    [
        ("non laisse tomber", True),
        ("Non merci.", True),
        ("plus tard peut-être", True),
        ("nonobstant la charte", False),
        ("ok", False),
    ],
)
def test_a_no_in_words_opens_the_reply(text: str, no: bool) -> None:
    assert declines(text) is no


@pytest.mark.parametrize(
    "text, details",
    [
        ("Bérangère Lefèvre-Quintal", True),
        ("Amandine Roux", True),
        ("direction@ressourcerie-lesgrues.org", True),
        ("06 12 34 98 71", True),
        ("+33 6 12 34 98 71", True),
        ("c'est quoi un PTCE ?", False),
        ("Loi 2014", False),
        ("amandine roux", False),
        ("Quelle Loi Reconnaît Les PTCE ?", False),
    ],
)
def test_details_typed_before_consent_are_told_by_their_shape(text: str, details: bool) -> None:
    assert gives_details(text) is details
