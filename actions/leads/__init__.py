"""Leads left by visitors through the contact form: validation, storage, delivery.

A lead is written to the database first, then delivered to the team (e-mail,
webhook) through an outbox, so a destination that is down never loses a visitor's
request. ``python -m actions.leads`` exports, delivers, deletes and purges them.

Modules: ``validation`` (what the form checks), ``tables`` (the two tables),
``store`` (leads in and out of them),
``destinations`` (e-mail and webhook clients), ``outbox`` (submission and retries),
``cli`` (the operator's commands). Nothing here registers a Rasa action: the
action server imports this package when it scans ``actions`` and must find no
side effect.
"""
