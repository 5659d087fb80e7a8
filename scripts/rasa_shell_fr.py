"""`rasa shell` in French, with numbered buttons that a number picks.

Rasa 3.6's console prints the buttons of the last message as an arrow-key menu
(after the text of earlier messages, before their own text) and asks
"Your input ->"; it has no setting for either. This wrapper replaces the two
console functions that print and prompt (rasa is pinned to 3.6.21), then runs
`rasa shell` unchanged: same server, same REST channel, same conversation.

Usage: python scripts/rasa_shell_fr.py --model models/ptce.tar.gz
"""

import sys
from typing import Any, Dict, List, Optional

import questionary
import rasa.shared.utils.cli
import rasa.shared.utils.io
from prompt_toolkit.styles import Style
from rasa.__main__ import main as rasa_main
from rasa.core.channels import console

PROMPT = "Vous ->"
HINT = "(tapez le numéro d'un choix, ou votre message)"
_print_other_output = console._print_bot_output


def numbered(buttons: List[Dict[str, Any]]) -> List[str]:
    """Buttons as "1. Title" lines."""
    return [f"  {number}. {button.get('title', '')}" for number, button in enumerate(buttons, 1)]


def resolve(answer: str, buttons: List[Dict[str, Any]]) -> str:
    """The payload of the button whose number was typed, else the typed text."""
    if answer.isdigit() and 1 <= int(answer) <= len(buttons):
        return buttons[int(answer) - 1]["payload"]
    return answer


def print_bot_output(
    message: Dict[str, Any],
    is_latest_message: bool = False,
    color: str = rasa.shared.utils.io.bcolors.OKBLUE,
) -> None:
    """The text first, then the buttons, numbered."""
    _print_other_output(
        {key: value for key, value in message.items() if key != "buttons"}, False, color
    )
    for line in numbered(message.get("buttons") or []):
        rasa.shared.utils.cli.print_color(line, color=color)
    return None


async def get_user_input(previous_response: Optional[Dict[str, Any]]) -> Optional[str]:
    """Show the last bot message, then read the visitor's answer."""
    buttons: List[Dict[str, Any]] = []
    if previous_response is not None:
        print_bot_output(previous_response)
        buttons = previous_response.get("buttons") or []
        if buttons:
            rasa.shared.utils.cli.print_color(HINT, color=rasa.shared.utils.io.bcolors.OKBLUE)
    answer = await questionary.text(
        "", qmark=PROMPT, style=Style([("qmark", "#b373d6"), ("", "#b373d6")])
    ).ask_async()
    return None if answer is None else resolve(answer.strip(), buttons)


def main() -> None:
    console._print_bot_output = print_bot_output
    console._get_user_input = get_user_input
    sys.argv = ["rasa", "shell", *sys.argv[1:]]
    rasa_main()


if __name__ == "__main__":
    main()
