"""What the contact form accepts, the French reasons it gives, and log masking."""

import re
from typing import Optional

import pytest

from actions.leads.validation import (
    MAX_LENGTHS,
    NEEDS,
    ORGANISATION_TYPES,
    InvalidField,
    clean_text,
    mask_email,
    mask_phone,
    redact,
    validate_email,
    validate_phone,
)
from tests.support.content import ROOT, responses

VALIDATION_SOURCE = (ROOT / "actions" / "leads" / "validation.py").read_text(encoding="utf-8")


def reason(error: InvalidField) -> tuple:
    """The response that tells the visitor why, and the values it is filled with."""
    return error.response, error.values


def test_limits_are_the_agreed_ones() -> None:
    assert MAX_LENGTHS == {
        "name": 100,
        "email": 254,
        "phone": 32,
        "organisation": 150,
        "territory": 100,
        "message": 2000,
    }


def test_clean_text_strips_collapses_and_drops_control_characters() -> None:
    raw = "  Jeanne\t\n  Du\x00pont\u200b \u202e \r\n"
    assert clean_text(raw, "name") == "Jeanne Dupont"


@pytest.mark.parametrize("raw", ["", "   ", "\x00\x07", "\u200b\n\t", None])
def test_clean_text_refuses_an_empty_answer(raw: Optional[str]) -> None:
    with pytest.raises(InvalidField) as caught:
        clean_text(raw, "name")
    assert reason(caught.value) == ("utter_invalid_empty", {})


@pytest.mark.parametrize("field", sorted(MAX_LENGTHS))
def test_clean_text_enforces_each_limit(field: str) -> None:
    limit = MAX_LENGTHS[field]
    assert len(clean_text("a" * limit, field)) == limit
    with pytest.raises(InvalidField) as caught:
        clean_text("a" * (limit + 1), field)
    assert reason(caught.value) == ("utter_invalid_too_long", {"limit": limit})


def test_invalid_field_is_a_value_error_naming_its_response() -> None:
    error = InvalidField("utter_invalid_too_long", limit=12)
    assert isinstance(error, ValueError)
    assert (error.response, error.values) == ("utter_invalid_too_long", {"limit": 12})


def test_every_refusal_names_a_response_of_the_bot() -> None:
    named = set(re.findall(r'InvalidField\("(utter_\w+)"', VALIDATION_SOURCE))
    assert len(named) == 15
    assert named <= set(responses())


@pytest.mark.parametrize(
    "raw, expected",
    [
        ("jeanne.dupont@exemple.fr", "jeanne.dupont@exemple.fr"),
        ("  Jeanne.Dupont@Exemple.FR ", "Jeanne.Dupont@exemple.fr"),
        ("contact+ptce@asso-lyon.org", "contact+ptce@asso-lyon.org"),
        ("élodie@mairie.fr", "élodie@mairie.fr"),
    ],
)
def test_valid_emails_are_normalised(raw: str, expected: str) -> None:
    assert validate_email(raw) == expected


@pytest.mark.parametrize(
    "raw, response, values",
    [
        ("jeanne.dupont.exemple.fr", "utter_invalid_email_no_at", {}),
        ("jeanne@@exemple.fr", "utter_invalid_email_two_at", {}),
        ("jeanne dupont@exemple.fr", "utter_invalid_email_space", {}),
        ("@exemple.fr", "utter_invalid_email_no_local_part", {}),
        ("jeanne@", "utter_invalid_email_no_domain", {}),
        ("jeanne@exemple", "utter_invalid_email_no_extension", {}),
        ("jeanne@exemple..fr", "utter_invalid_email", {}),
        ("jeanne@exemple.fr.", "utter_invalid_email", {}),
        ("", "utter_invalid_empty", {}),
        ("a" * 250 + "@exemple.fr", "utter_invalid_too_long", {"limit": 254}),
    ],
)
def test_invalid_emails_say_why_in_french(raw: str, response: str, values: dict) -> None:
    with pytest.raises(InvalidField) as caught:
        validate_email(raw)
    assert reason(caught.value) == (response, values)


@pytest.mark.parametrize(
    "raw, expected",
    [
        ("06 12 34 56 78", "+33612345678"),
        ("0612345678", "+33612345678"),
        ("06.12.34.56.78", "+33612345678"),
        ("+33 6 12 34 56 78", "+33612345678"),
        ("0033 6 12 34 56 78", "+33612345678"),
        ("01 23 45 67 89", "+33123456789"),
        ("+1 506 453 2525", "+15064532525"),
        ("+32 470 12 34 56", "+32470123456"),
    ],
)
def test_phones_become_e164(raw: str, expected: str) -> None:
    assert validate_phone(raw) == expected


@pytest.mark.parametrize(
    "raw, response",
    [
        ("06 12 34", "utter_invalid_phone_too_short"),
        ("06 12 34 56 78 90 12", "utter_invalid_phone_too_long"),
        ("1-800-FLOWERS", "utter_invalid_phone_characters"),
        ("+999 1234 5678", "utter_invalid_phone"),
        ("00 00 00 00 00", "utter_invalid_phone_not_valid"),
        ("   ", "utter_invalid_empty"),
    ],
)
def test_invalid_phones_say_why_in_french(raw: str, response: str) -> None:
    with pytest.raises(InvalidField) as caught:
        validate_phone(raw)
    assert reason(caught.value) == (response, {})


def test_masks_keep_enough_to_tell_leads_apart() -> None:
    assert mask_email("jeanne@exemple.fr") == "j***@e***.fr"
    assert mask_email("j@mail.example.co.uk") == "j***@m***.uk"
    assert mask_email("pas-une-adresse") == "***"
    assert mask_phone("+33612345678") == "+33******78"
    assert mask_phone("+15064532525") == "+15******25"
    assert mask_phone("123") == "***"


def test_redact_masks_addresses_and_numbers_in_foreign_text() -> None:
    text = "550 <jeanne@exemple.fr> refusé, rappeler le 06 12 34 56 78 ou +33612345678 (port 587)"
    redacted = redact(text)
    assert "jeanne@exemple.fr" not in redacted
    assert "06 12 34 56 78" not in redacted and "+33612345678" not in redacted
    assert "j***@e***.fr" in redacted
    assert "550" in redacted and "587" in redacted


def test_choice_labels() -> None:
    assert ORGANISATION_TYPES["association"] == "Association ou autre structure de l'ESS"
    assert ORGANISATION_TYPES["collectivite"] == "Collectivité"
    assert set(ORGANISATION_TYPES) == {"entreprise", "association", "collectivite", "autre"}
    assert set(NEEDS) == {
        "offre_consolidation",
        "offre_responsabilite_territoriale",
        "offre_transition_ecologique",
        "offre_bien_etre",
        "creer_ptce",
        "relancer_ptce",
        "candidater_ami",
        "autre",
    }
    assert NEEDS["creer_ptce"] == "Créer un PTCE"
    assert NEEDS["relancer_ptce"] == "Relancer un PTCE"
    assert NEEDS["candidater_ami"] == "Candidater à l'AMI PTCE"


def test_a_refusal_reads_as_its_response_name() -> None:
    assert str(InvalidField("utter_invalid_phone")) == "utter_invalid_phone"


def test_a_phone_of_eight_characters_is_masked_too() -> None:
    assert mask_phone("01234567") == "012******67"
    assert mask_phone("0123456") == "***"


@pytest.mark.parametrize(
    "email, masked",
    [
        ("a@b@exemple.fr", "a***@e***.fr"),  # the domain is after the last @
        ("@exemple.fr", "***"),
        ("jeanne@", "***"),
        ("jeanne@localhost", "j***@l***"),
        ("jeanne@.fr", "j***@.***"),
    ],
)
def test_odd_addresses_are_masked_too(email: str, masked: str) -> None:
    assert mask_email(email) == masked
