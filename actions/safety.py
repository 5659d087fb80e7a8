"""An action that fails answers in French and writes no visitor data into any log.

rasa_sdk answers an exception with a 500 whose body holds the whole tracker
(every message of the conversation), and the Rasa server logs that body with
its traceback. ``guarded`` catches what an action raises, so the action server
answers normally: the visitor reads ``utter_technical_problem`` and the log gets
the action, the kind of error and where it was raised, never the error's text
(a database error quotes the failing row, e-mail included). A unit test checks
that every action the server registers is guarded.
"""

import functools
import inspect
import logging
import traceback
from typing import Any, Dict, List, Text, Type, TypeVar

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.interfaces import ActionExecutionRejection

logger = logging.getLogger(__name__)

A = TypeVar("A", bound=Type[Action])


def log_failure(what: str, error: BaseException) -> None:
    """Log ``what`` failed, with the error's type and the line that raised it, not its text."""
    frames = traceback.extract_tb(error.__traceback__)
    where = f" at {frames[-1].filename}:{frames[-1].lineno}" if frames else ""
    logger.error("%s: %s%s", what, type(error).__name__, where)


def guarded(cls: A) -> A:
    """``cls`` with a ``run`` that turns any exception into a French apology.

    A form's rejection (``ActionExecutionRejection``) is how rasa_sdk hands the
    turn back to Rasa's rules: it passes through.
    """
    run = cls.run

    @functools.wraps(run)
    async def run_safely(
        self: Action, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict
    ) -> List[Dict[Text, Any]]:
        try:
            events = run(self, dispatcher, tracker, domain)
            return await events if inspect.isawaitable(events) else events
        except ActionExecutionRejection:
            raise
        except Exception as error:  # noqa: BLE001 - the visitor gets an answer, the log no data.
            log_failure(f"Action {self.name()} failed", error)
            dispatcher.utter_message(response="utter_technical_problem")
            return []

    run_safely.guarded = True  # type: ignore[attr-defined]
    cls.run = run_safely  # type: ignore[method-assign]
    return cls
