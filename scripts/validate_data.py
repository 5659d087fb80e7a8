"""Run `rasa data validate --fail-on-warnings` and fail on any warning not explained here.

Rasa fails on story and rule conflicts, unknown intents or actions, and the like.
It also warns about a few things that a correct project of this shape cannot
avoid; each is allowed below with its reason. Anything else fails the check.
"""

import re
import subprocess
import sys
from pathlib import Path
from typing import Optional

ROOT = Path(__file__).resolve().parent.parent
# Where responses are sent by name: the actions, and the channels (channels/texts.py).
SENDERS_SOURCE = "\n".join(
    path.read_text(encoding="utf-8")
    for folder in ("actions", "channels")
    for path in sorted((ROOT / folder).rglob("*.py"))
)
WARNING = re.compile(r"UserWarning: (.*)|WARNING\s+\S+\s+-\s+(.*)")
UNUSED = re.compile(r"The utterance '(utter_\w+)' is not used in any story or rule")
# Responses whose names the actions build rather than spell out.
COMPOSED = {
    r"utter_ami_\w+": "composed by actions/ami.py from a milestone and a tense",
    r"utter_ask_(?:lead|erasure)_\w+": "asked by lead_form or erasure_form for the slot it "
    "requests (utter_ask_<slot>)",
    r"utter_default": "uttered by Rasa's action_default_fallback (RulePolicy's core fallback)",
    r"utter_fallback_\w+|utter_ask_which_topic": "chosen by actions/fallback.py, miss after miss",
    r"utter_no_\w+": "chosen by actions/follow_ups.py for an aspect the sheet does not give",
    r"utter_faq": "the retrieval intent's answers, utter_faq/<key>, sent by actions/answers.py",
}


def explain(warning: str) -> Optional[str]:
    """Why ``warning`` is harmless, or None when it is not explained."""
    if "duplicated intents have been found across multiple domain files: faq" in warning:
        return "the retrieval intent is listed in domain.yml and derived from the NLU data"
    unused = UNUSED.search(warning)
    if not unused:
        return None
    name = unused.group(1)
    if f'"{name}"' in SENDERS_SOURCE:
        return "sent by name by an action or a channel"
    return next((why for pattern, why in COMPOSED.items() if re.fullmatch(pattern, name)), None)


def main() -> int:
    """Validate, print each warning with its explanation, exit 1 on an unexplained one."""
    result = subprocess.run(
        [sys.executable, "-m", "rasa", "data", "validate", "--fail-on-warnings"],
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    output = result.stdout + result.stderr
    unexplained = []
    for match in WARNING.finditer(output):
        warning = (match.group(1) or match.group(2)).strip()
        reason = explain(warning)
        if reason:
            print(f"allowed: {warning} ({reason})")
        else:
            unexplained.append(warning)
    for warning in unexplained:
        print(f"UNEXPLAINED WARNING: {warning}", file=sys.stderr)
    if result.returncode != 0 or unexplained:
        print(output[-4000:], file=sys.stderr)
        print("rasa data validate: FAILED", file=sys.stderr)
        return 1
    print("rasa data validate --fail-on-warnings: passed, every warning explained")
    return 0


if __name__ == "__main__":
    sys.exit(main())
