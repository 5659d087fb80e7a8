"""The project's NLU components, named in config.yml by module path.

Importing the package also makes Rasa check the action server's answers
without re-checking their schema each time (``components/action_responses.py``):
the Rasa server imports this package whenever it loads the model.
"""

from components.action_responses import install

install()
