"""What the contact form accepts, and the French reason given when it refuses.

The form (``actions/lead_form.py``) calls these functions on each answer and shows
``InvalidField.reason`` to the visitor, so every reason is a complete French
sentence. Addresses and phone numbers are personal data: the ``mask_*`` and
``redact`` helpers are what the rest of the package logs instead.
"""

import re
import unicodedata
from typing import Dict

import phonenumbers
from email_validator import EmailNotValidError
from email_validator import validate_email as _check_email
from phonenumbers import NumberParseException, PhoneNumberFormat, ValidationResult

MAX_LENGTHS: Dict[str, int] = {
    "name": 100,
    "email": 254,  # RFC 5321's limit on a forward path.
    "phone": 32,
    "organisation": 150,
    "territory": 100,
    "message": 2000,
}

ORGANISATION_TYPES: Dict[str, str] = {
    "entreprise": "Entreprise",
    "association": "Association ou autre structure de l'ESS",
    "collectivite": "Collectivité",
    "autre": "Autre",
}

NEEDS: Dict[str, str] = {
    "offre_consolidation": "Consolider l'économie d'une structure ESS",
    "offre_responsabilite_territoriale": "Démarche de responsabilité territoriale",
    "offre_transition_ecologique": "Accompagner un projet local de transition écologique",
    "offre_bien_etre": "Politique territoriale du bien-être",
    "creer_ptce": "Créer un PTCE",
    "relancer_ptce": "Relancer un PTCE",
    "candidater_ami": "Candidater à l'AMI PTCE",
    "autre": "Autre besoin",
}

DEFAULT_REGION = "FR"

# Control (Cc), format (Cf: zero-width and bidi overrides, which can disguise text
# in the team's mailbox) and lone surrogate (Cs) characters never belong in a form.
_DROPPED_CATEGORIES = frozenset({"Cc", "Cf", "Cs"})
_WHITESPACE = re.compile(r"\s+")
# Phone numbers are typed with digits and common separators only: phonenumbers
# would otherwise read letters as a keypad ("1-800-FLOWERS").
_PHONE_CHARACTERS = re.compile(r"^[0-9+().\-/ ]+$")
_EMAIL_LIKE = re.compile(r"[^\s<>()\[\],;:\"']+@[^\s<>()\[\],;:\"']+")
# Nine digits or more, possibly separated (a French number has ten): ports, HTTP
# statuses and dates stay readable; a date followed by a time may be masked too,
# which is the safe side.
_PHONE_LIKE = re.compile(r"\+?\d(?:[\s.\-/]?\d){8,}")


class InvalidField(ValueError):
    """A visitor's answer that the form must ask again, with the reason to show them."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def clean_text(value: str, field: str) -> str:
    """``value`` stripped, with whitespace collapsed and control characters removed.

    Whitespace is collapsed in every field, the message included: chat widgets send
    one line, and a single line keeps e-mail subjects, CSV cells and logs tidy.
    Raises ``InvalidField`` when nothing is left or the result exceeds
    ``MAX_LENGTHS[field]`` (a ``KeyError`` for an unknown field is a programming error).
    """
    limit = MAX_LENGTHS[field]
    # None is what an unfilled Rasa slot holds: an empty answer, not the word "None".
    text = unicodedata.normalize("NFC", "" if value is None else str(value))
    text = _WHITESPACE.sub(" ", text)
    text = "".join(ch for ch in text if unicodedata.category(ch) not in _DROPPED_CATEGORIES)
    text = _WHITESPACE.sub(" ", text).strip()
    if not text:
        raise InvalidField("Cette réponse est vide : pouvez-vous la préciser ?")
    if len(text) > limit:
        raise InvalidField(
            f"C'est un peu long : {limit} caractères au maximum, merci de raccourcir."
        )
    return text


def validate_email(value: str) -> str:
    """The address, normalised (domain lower-cased, Unicode NFC), or ``InvalidField``.

    Deliverability (DNS) is not checked: the action server must answer without the
    network, and a typo in a real domain would pass such a check anyway.
    """
    text = clean_text(value, "email")
    _explain_email_syntax(text)
    try:
        return _check_email(text, check_deliverability=False).normalized
    except EmailNotValidError as error:
        raise InvalidField("Cette adresse e-mail n'est pas valide.") from error


def _explain_email_syntax(text: str) -> None:
    """Raise ``InvalidField`` with a precise reason for the commonest typing mistakes."""
    if "@" not in text:
        raise InvalidField("Il manque le « @ » dans l'adresse e-mail.")
    if text.count("@") > 1:
        raise InvalidField("Une adresse e-mail ne contient qu'un seul « @ ».")
    if " " in text:
        raise InvalidField("Une adresse e-mail ne contient pas d'espace.")
    local, domain = text.split("@")
    if not local:
        raise InvalidField("Il manque la partie avant le « @ » dans l'adresse e-mail.")
    if not domain:
        raise InvalidField("Il manque le domaine après le « @ » (par exemple « exemple.fr »).")
    if "." not in domain:
        raise InvalidField("Il manque l'extension du domaine après le « @ » (par exemple « .fr »).")


def validate_phone(value: str) -> str:
    """The number in E.164 (``+33612345678``), or ``InvalidField``.

    National numbers are read as French; other countries need their ``+`` or
    ``00`` prefix.
    """
    text = clean_text(value, "phone")
    if not _PHONE_CHARACTERS.match(text):
        raise InvalidField(
            "Un numéro de téléphone ne contient que des chiffres "
            "(avec éventuellement « + », des espaces, des points ou des tirets)."
        )
    try:
        number = phonenumbers.parse(text, DEFAULT_REGION)
    except NumberParseException as error:
        raise InvalidField("Ce numéro de téléphone n'est pas reconnu.") from error
    possible = phonenumbers.is_possible_number_with_reason(number)
    if possible == ValidationResult.INVALID_COUNTRY_CODE:
        raise InvalidField("L'indicatif de pays de ce numéro n'existe pas.")
    if possible == ValidationResult.TOO_SHORT:
        raise InvalidField("Il manque des chiffres à ce numéro de téléphone.")
    if possible in (ValidationResult.TOO_LONG, ValidationResult.INVALID_LENGTH):
        raise InvalidField("Ce numéro de téléphone a trop de chiffres.")
    if not phonenumbers.is_valid_number(number):
        raise InvalidField(
            "Ce numéro de téléphone n'est pas valide. Pour un numéro étranger, "
            "ajoutez l'indicatif du pays (par exemple +32)."
        )
    return phonenumbers.format_number(number, PhoneNumberFormat.E164)


def mask_email(email: str) -> str:
    """``jeanne@exemple.fr`` as ``j***@e***.fr``: enough to tell leads apart in logs."""
    local, at, domain = str(email).rpartition("@")
    if not at or not local or not domain:
        return "***"
    name, dot, tld = domain.rpartition(".")
    masked_domain = f"{name[:1]}***.{tld}" if dot and name else f"{domain[:1]}***"
    return f"{local[:1]}***@{masked_domain}"


def mask_phone(phone: str) -> str:
    """``+33612345678`` as ``+33******78``; the stars do not reveal the length."""
    text = str(phone)
    if len(text) < 8:
        return "***"
    return f"{text[:3]}******{text[-2:]}"


def redact(text: str) -> str:
    """``text`` with every e-mail address and phone-like number masked.

    For messages that come from outside the package (an SMTP server's refusal
    quoting an address, an HTTP error body) before they are logged or stored.
    """
    text = _EMAIL_LIKE.sub(lambda match: mask_email(match.group()), str(text))
    return _PHONE_LIKE.sub(lambda match: mask_phone(match.group()), text)
