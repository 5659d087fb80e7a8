"""Rasa still checks the action server's answers, with its schema checked only once."""

from unittest import mock

import pytest
from jsonschema import ValidationError
from jsonschema.validators import validator_for
from rasa.core.actions.action import RemoteAction

import components  # noqa: F401  (installs the patch, as loading the model does)
from components.action_responses import _validator

VALID = {"events": [{"event": "slot", "name": "topic", "value": "faq/charte"}], "responses": []}
INVALID = {"events": [{"event": "slot", "name": 3}], "responses": "not a list"}


def remote_action() -> RemoteAction:
    return RemoteAction("action_answer_faq", None)


def test_a_valid_answer_passes() -> None:
    assert remote_action()._validate_action_result(VALID) is True


def test_an_invalid_answer_is_refused_with_rasa_s_message() -> None:
    with pytest.raises(ValidationError, match="Failed to validate Action server response"):
        remote_action()._validate_action_result(INVALID)


def test_the_schema_is_checked_once_not_for_each_answer() -> None:
    """Once when the validator is built (whatever ran before), never per answer."""
    _validator.cache_clear()
    validator_class = validator_for(RemoteAction.action_response_format_spec())
    with mock.patch.object(
        validator_class, "check_schema", wraps=validator_class.check_schema
    ) as check_schema:
        for _ in range(3):
            remote_action()._validate_action_result(VALID)
    assert check_schema.call_count == 1
