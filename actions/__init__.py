"""Custom actions of the PTCE assistant, served by ``rasa run actions``."""
