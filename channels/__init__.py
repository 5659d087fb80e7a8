"""The project's own input channels, named in credentials.yml by module path.

Rasa loads a channel that is not built in from ``<module>.<Class>`` keys of
``credentials.yml`` (``channels.telegram.TelegramInput``); ``rasa run`` puts the
project directory on the import path, so this package needs no installation.
"""
