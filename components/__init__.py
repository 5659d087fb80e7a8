"""The project's NLU components, named in config.yml by module path.

Importing the package also installs two patches of Rasa's calls to the action
server, because the Rasa server imports this package whenever it loads the
model: its answers are checked without re-checking their schema each time
(``components/action_responses.py``), and its connections are kept open
between calls (``components/kept_sessions.py``).
"""

from components import action_responses, kept_sessions

action_responses.install()
kept_sessions.install()
