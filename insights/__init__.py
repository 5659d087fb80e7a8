"""What visitors ask: the firm's report on the real conversations.

``python -m insights report`` reads Rasa's ``events`` table (``TRACKER_STORE_URL``)
and the lead store (``LEADS_DATABASE_URL``) directly, read-only, and writes one
self-contained French HTML page; ``python -m insights unanswered`` lists the
questions the assistant could not answer, for whoever edits the answers.

Modules: ``outcomes`` (the one table that says what a response or an action
means), ``events`` (the SQL that streams the stored events), ``figures`` (every
figure, computed from a stream of events), ``grouping`` (similar phrasings
together), ``leads`` (the lead store's counts), ``charts`` and ``page`` (the
HTML), ``export`` (CSV and JSON), ``cli`` (the commands).
"""
