"""Rasa's check of the action server's answers, with its schema checked once.

Rasa 3.6 validates every answer of the action server with
``jsonschema.validate(result, schema)``. With the pinned jsonschema 3.2 that
call first validates the schema itself against JSON Schema's meta-schema, on
every call, although Rasa's schema is a constant: measured with py-spy under
the 16-visitor load of ``make bench``, that re-check alone took 6 % of the Rasa
server's CPU (BENCHMARKS.md, « Where the time of a turn goes »). Every sheet
answer goes through the action server, so the cost is paid on most turns.

``install`` replaces Rasa's method by one that builds the validator once. The
answer is checked against the same schema, and an invalid one raises the same
``ValidationError`` with the same message, so Rasa behaves as before. Rasa 3.6
offers no hook for this, and 3.6.21 is its last open-source release: hence a
patch, installed when the Rasa server imports the project's components (the
model names them in config.yml), and tested in tests/unit/test_action_responses.py.
"""

from functools import lru_cache
from typing import Any, Dict, Text

from jsonschema import ValidationError
from jsonschema.validators import validator_for
from rasa.core.actions.action import RemoteAction
from rasa.shared.constants import DOCS_BASE_URL


@lru_cache(maxsize=1)
def _validator() -> Any:
    """The validator of Rasa's schema of an action server answer, its schema checked once."""
    schema = RemoteAction.action_response_format_spec()
    cls = validator_for(schema)
    cls.check_schema(schema)
    return cls(schema)


def validate_action_result(self: RemoteAction, result: Dict[Text, Any]) -> bool:
    """Rasa's ``RemoteAction._validate_action_result``, without re-checking the schema."""
    try:
        _validator().validate(result)
        return True
    except ValidationError as error:
        error.message += (
            ". Failed to validate Action server response from API, "
            "make sure your response from the Action endpoint is valid. "
            f"For more information about the format visit {DOCS_BASE_URL}/custom-actions"
        )
        raise error


def install() -> None:
    """Makes Rasa's remote actions use ``validate_action_result``."""
    RemoteAction._validate_action_result = validate_action_result  # type: ignore[method-assign]
