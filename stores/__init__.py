"""Conversation and lock stores configured from the environment.

endpoints.yml names these classes by module path (Rasa's documented way to plug
in a store), so one set of files serves a single small server (SQLite, in-memory
locks) and several replicas (PostgreSQL, Redis).
"""
