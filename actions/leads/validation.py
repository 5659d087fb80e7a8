"""What the contact form accepts, and why it refuses an answer.

The form (``actions/lead_form.py``) calls these functions on each answer and, on
``InvalidField``, sends the response it names (``utter_invalid_*``, in
``data/responses/leads.yml``) with its values. Addresses and phone numbers are
personal data: the ``mask_*`` and ``redact`` helpers are what the rest of the
package logs instead.
"""

import re
import unicodedata
from typing import Any, Dict, Optional

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
# Words that introduce an address in a sentence (« mon mail c'est … », « voici … »).
_EMAIL_CUES = frozenset(
    "mail email courriel adresse est c voici oui non pardon erreur plutot plutôt bien".split()
)
_EMAIL_LIKE = re.compile(r"[^\s<>()\[\],;:\"']+@[^\s<>()\[\],;:\"']+")
# Nine digits or more, possibly separated (a French number has ten): ports, HTTP
# statuses and dates stay readable; a date followed by a time may be masked too,
# which is the safe side.
_PHONE_LIKE = re.compile(r"\+?\d(?:[\s.\-/]?\d){8,}")


class InvalidField(ValueError):
    """A visitor's answer that the form must ask again: the response that says why."""

    def __init__(self, response: str, **values: Any) -> None:
        super().__init__(response)
        self.response = response
        self.values = values


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
        raise InvalidField("utter_invalid_empty")
    if len(text) > limit:
        raise InvalidField("utter_invalid_too_long", limit=limit)
    return text


def find_email(text: str) -> Optional[str]:
    """The one address typed in a sentence (« le mail c'est marie@exemple.fr »), if any.

    Only after words that introduce it: in « jeanne dupont@exemple.fr » the space
    is a typing mistake inside the address, which ``validate_email`` explains.
    """
    found = list(_EMAIL_LIKE.finditer(text))
    if len(found) != 1:
        return None
    before = set(re.findall(r"[a-zà-ÿ]+", text[: found[0].start()].lower()))
    return found[0].group().rstrip(".!?") if before & _EMAIL_CUES else None


def find_phone(text: str) -> Optional[str]:
    """The first phone number typed in a sentence (« joignable au 06 12 34 56 78 le matin »)."""
    match = next(iter(phonenumbers.PhoneNumberMatcher(text, DEFAULT_REGION)), None)
    return match.raw_string if match else None


def validate_email(value: str) -> str:
    """The address, normalised (domain lower-cased, Unicode NFC), or ``InvalidField``.

    An address inside a sentence is taken out of it. Deliverability (DNS) is not
    checked: the action server must answer without the network, and a typo in a
    real domain would pass such a check anyway.
    """
    text = clean_text(value, "email")
    if " " in text:
        text = find_email(text) or text
    _explain_email_syntax(text)
    try:
        return _check_email(text, check_deliverability=False).normalized
    except EmailNotValidError as error:
        raise InvalidField("utter_invalid_email") from error


def _explain_email_syntax(text: str) -> None:
    """Raise ``InvalidField`` with a precise reason for the commonest typing mistakes."""
    if "@" not in text:
        raise InvalidField("utter_invalid_email_no_at")
    if text.count("@") > 1:
        raise InvalidField("utter_invalid_email_two_at")
    if " " in text:
        raise InvalidField("utter_invalid_email_space")
    local, domain = text.split("@")
    if not local:
        raise InvalidField("utter_invalid_email_no_local_part")
    if not domain:
        raise InvalidField("utter_invalid_email_no_domain")
    if "." not in domain:
        raise InvalidField("utter_invalid_email_no_extension")


def validate_phone(value: str) -> str:
    """The number in E.164 (``+33612345678``), or ``InvalidField``.

    National numbers are read as French; other countries need their ``+`` or
    ``00`` prefix. A number inside a sentence is taken out of it.
    """
    sentence = unicodedata.normalize("NFC", "" if value is None else str(value))
    if not _PHONE_CHARACTERS.match(sentence.strip()):
        sentence = find_phone(sentence) or sentence
    text = clean_text(sentence, "phone")
    if not _PHONE_CHARACTERS.match(text):
        raise InvalidField("utter_invalid_phone_characters")
    try:
        number = phonenumbers.parse(text, DEFAULT_REGION)
    except NumberParseException as error:
        raise InvalidField("utter_invalid_phone") from error
    possible = phonenumbers.is_possible_number_with_reason(number)
    if possible == ValidationResult.INVALID_COUNTRY_CODE:
        raise InvalidField("utter_invalid_phone_country")
    if possible == ValidationResult.TOO_SHORT:
        raise InvalidField("utter_invalid_phone_too_short")
    if possible in (ValidationResult.TOO_LONG, ValidationResult.INVALID_LENGTH):
        raise InvalidField("utter_invalid_phone_too_long")
    if not phonenumbers.is_valid_number(number):
        raise InvalidField("utter_invalid_phone_not_valid")
    return phonenumbers.format_number(number, PhoneNumberFormat.E164)


def display_phone(phone: str) -> str:
    """A stored E.164 number as the visitor reads it: ``06 12 34 56 78`` for a French
    one, ``+32 470 12 34 56`` for another country."""
    try:
        number = phonenumbers.parse(str(phone), DEFAULT_REGION)
    except NumberParseException:
        return str(phone)
    national = phonenumbers.region_code_for_number(number) == DEFAULT_REGION
    return phonenumbers.format_number(
        number, PhoneNumberFormat.NATIONAL if national else PhoneNumberFormat.INTERNATIONAL
    )


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


def error_line(error: BaseException) -> str:
    """The first line of an error's own text (a database driver's, not SQLAlchemy's
    wrapping), addresses and numbers masked: fit for a log.

    Only the first line: PostgreSQL's next one (« DETAIL: Failing row contains … »)
    quotes the whole row, the visitor's name and message included, whatever
    SQLAlchemy's ``hide_parameters`` hides.
    """
    original = getattr(error, "orig", None) or error
    lines = str(original).strip().splitlines()
    return redact(lines[0]) if lines else type(error).__name__
