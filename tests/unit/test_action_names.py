"""The action server answers to every action the domain names, under that exact name."""

from rasa_sdk.executor import ActionExecutor

from tests.support.content import domain


def test_every_action_of_the_domain_is_served_under_its_name() -> None:
    executor = ActionExecutor()
    executor.register_package("actions")
    # The domain lists names, or {name: {send_domain: true}} for those that read it.
    named = {next(iter(a)) if isinstance(a, dict) else a for a in domain()["actions"]}
    # AskChoice, the base of the two choice questions, registers as "action_ask_": unused.
    assert set(executor.actions) - {"action_ask_"} == named
