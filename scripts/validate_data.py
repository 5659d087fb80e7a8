"""Run `rasa data validate` and fail on any warning not explained below.

Some warnings of Rasa 3.6 cannot be removed from a correct project; each is
listed with the reason it is harmless. Anything else fails the check.
"""

import re
import subprocess
import sys
from typing import Dict

EXPLAINED: Dict[str, str] = {
    # Rasa's ResponsesSyncImporter merges the retrieval intents found in the NLU
    # data into the domain, which must also list `faq` for the rules to parse.
    r"duplicated intents have been found across multiple domain files: faq": "retrieval intent listed in the domain and derived from the NLU data",
    # Used by Rasa's built-in two-stage fallback, never by a story or rule.
    r"The utterance 'utter_ask_rephrase' is not used in any story or rule": "uttered by action_default_ask_rephrase (two-stage fallback)",
    r"The utterance 'utter_default' is not used in any story or rule": "uttered by action_default_fallback (two-stage fallback gives up)",
    # A form asks for each of its slots with utter_ask_<slot>, which no rule names.
    r"The utterance 'utter_ask_lead_\w+' is not used in any story or rule": "asked by lead_form for the slot it requests",
}
WARNING = re.compile(r"UserWarning: (.*)")


def main() -> int:
    """Validate, print each warning with its explanation, exit 1 on an unexplained one."""
    result = subprocess.run(
        [sys.executable, "-m", "rasa", "data", "validate"],
        capture_output=True,
        text=True,
    )
    output = result.stdout + result.stderr
    unexplained = []
    for warning in WARNING.findall(output):
        reason = next(
            (why for pattern, why in EXPLAINED.items() if re.search(pattern, warning)), None
        )
        if reason:
            print(f"explained warning: {warning.strip()} ({reason})")
        else:
            unexplained.append(warning.strip())
    for warning in unexplained:
        print(f"UNEXPLAINED WARNING: {warning}", file=sys.stderr)
    if result.returncode != 0 or unexplained:
        print(output[-4000:], file=sys.stderr)
        return 1
    print("rasa data validate: no unexplained warning")
    return 0


if __name__ == "__main__":
    sys.exit(main())
