"""The operator's commands: ``python -m actions.leads export|deliver|delete|purge``.

Run from the project root with the project's venv. The database is
``LEADS_DATABASE_URL`` (default ``var/leads.db``); destinations come from the same
``LEADS_*`` variables as the action server's. ``delete`` and ``purge`` also erase
conversations where ``TRACKER_STORE_URL`` points (default ``var/conversations.db``):
run them where both databases are reachable. Expected errors (bad arguments,
database unreachable, bad configuration) print one line and exit non-zero, without
a traceback.
"""

import argparse
import asyncio
import csv
import json
import logging
import os
import sys
from datetime import date
from typing import Any, Callable, Dict, List, Optional, Sequence, TextIO

from sqlalchemy import create_engine, event, inspect
from sqlalchemy.engine import Connection, make_url
from sqlalchemy.exc import SQLAlchemyError

from actions.leads.destinations import ConfigError, destinations_from_env
from actions.leads.outbox import deliver_due
from actions.leads.store import LeadStore, database_url
from actions.leads.validation import error_line, mask_email

CSV_COLUMNS = [
    "reference",
    "created_at",
    "name",
    "email",
    "phone",
    "organisation",
    "organisation_type",
    "territory",
    "need",
    "message",
    "topic",
    "consent_at",
    "consent_version",
    "channel",
    "updated_at",
    "id",
    "context",
]
# A spreadsheet runs a cell starting with one of these as a formula (CSV injection).
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def main(argv: Optional[Sequence[str]] = None) -> int:
    """Run one command; the exit status (argparse exits with 2 on bad arguments)."""
    arguments = _parser().parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    url = database_url()
    try:
        store = LeadStore(url)
    except SQLAlchemyError as error:
        return _fail(f"base de données inaccessible ({_safe_url(url)}) : {error_line(error)}")
    try:
        return arguments.handler(store, arguments)
    except SQLAlchemyError as error:
        return _fail(f"erreur de la base de données : {error_line(error)}")
    except ConfigError as error:
        return _fail(f"configuration invalide : {error}")
    except BrokenPipeError:
        # The reader went away (``export | head``): silence the final flush too.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 1
    finally:
        store.dispose()


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m actions.leads",
        description="Leads du formulaire de contact : export, envoi, suppression, purge.",
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMANDE")

    export = commands.add_parser("export", help="exporter les leads sur la sortie standard")
    export.add_argument(
        "--format", choices=("csv", "json"), default="csv", help="csv (par défaut) ou json"
    )
    export.add_argument(
        "--since",
        type=_day,
        metavar="AAAA-MM-JJ",
        help="seulement les leads reçus depuis ce jour (heure de Paris)",
    )
    export.set_defaults(handler=_export)

    deliver = commands.add_parser("deliver", help="envoyer maintenant tout ce qui est en attente")
    deliver.set_defaults(handler=_deliver)

    remove = commands.add_parser(
        "delete",
        help="supprimer les leads d'une adresse e-mail et les conversations où elle figure",
    )
    remove.add_argument(
        "--email", required=True, metavar="ADRESSE", help="adresse e-mail, casse indifférente"
    )
    remove.set_defaults(handler=_delete)

    purge = commands.add_parser(
        "purge",
        help="supprimer les leads plus anciens qu'une durée, et les conversations sans "
        "message depuis CONVERSATIONS_RETENTION_DAYS jours (180 par défaut)",
    )
    purge.add_argument(
        "--older-than", type=_positive_days, required=True, metavar="JOURS", help="âge, > 0"
    )
    purge.set_defaults(handler=_purge)
    return parser


def _export(store: LeadStore, arguments: argparse.Namespace) -> int:
    rows = store.export(arguments.since)
    if arguments.format == "json":
        json.dump(rows, sys.stdout, ensure_ascii=False, indent=2)
        sys.stdout.write("\n")
    else:
        write_csv(rows, sys.stdout)
    return 0


def write_csv(rows: List[Dict[str, Any]], out: TextIO) -> None:
    """Write exported leads as CSV, every cell safe to open in a spreadsheet."""
    writer = csv.DictWriter(out, fieldnames=CSV_COLUMNS, extrasaction="ignore")
    writer.writeheader()
    for row in rows:
        cells = dict(row, context=json.dumps(row.get("context", []), ensure_ascii=False))
        writer.writerow({key: neutralise(cells.get(key)) for key in CSV_COLUMNS})


def neutralise(value: Any) -> str:
    """The cell's text, prefixed with ``'`` when a spreadsheet would read it as a formula."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_PREFIXES) else text


def _deliver(store: LeadStore, _arguments: argparse.Namespace) -> int:
    destinations = destinations_from_env()
    if not destinations:
        print("Aucune destination configurée (LEADS_SMTP_HOST, LEADS_WEBHOOK_URL) : rien à faire.")
        return 0
    results = asyncio.run(deliver_due(store, destinations, ignore_backoff=True))
    if not results:
        print("Rien à envoyer.")
    for result in results:
        if result.sent:
            print(f"envoyé  {result.reference}  {result.destination}")
        else:
            print(f"échec   {result.reference}  {result.destination}  {result.error}")
    return 1 if any(not result.sent for result in results) else 0


def _delete(store: LeadStore, arguments: argparse.Namespace) -> int:
    email = arguments.email.strip()
    count = store.delete_email(email)
    erased = _in_conversations(lambda connection: _erase_mentioning(connection, email))
    print(f"{count} lead(s) et {erased} conversation(s) supprimé(s) pour {mask_email(email)}.")
    return 0


def _purge(store: LeadStore, arguments: argparse.Namespace) -> int:
    from stores.conversations import purge, retention_days  # see _in_conversations

    try:
        days = retention_days()
    except ValueError as error:
        return _fail(f"configuration invalide : {error}")
    count = store.purge(arguments.older_than)
    erased = _in_conversations(lambda connection: purge(connection, days))
    print(
        f"{count} lead(s) de plus de {arguments.older_than} jour(s) et {erased} "
        f"conversation(s) sans message depuis {days} jour(s) supprimé(s)."
    )
    return 0


def _erase_mentioning(connection: Connection, email: str) -> int:
    from stores.conversations import conversations_mentioning, erase  # see _in_conversations

    senders = conversations_mentioning(connection, [email])
    erase(connection, senders)
    return len(senders)


def _in_conversations(work: Callable[[Connection], int]) -> int:
    """Run ``work`` in one transaction on the conversations' database; its count.

    ``stores`` is imported here, not at the top: the action server imports every
    module of ``actions`` when it starts, and its image has no ``stores/``. A
    database without Rasa's table holds no conversation: 0. On SQLite the erased
    bytes are then flushed out of the files (``stores.conversations``).
    """
    from stores.conversations import flush_erased, secure_sqlite, tracker_store_url

    engine = create_engine(tracker_store_url(), future=True, hide_parameters=True)
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", secure_sqlite)
    try:
        if not inspect(engine).has_table("events"):
            return 0
        with engine.begin() as connection:
            count = work(connection)
        flush_erased(engine)
        return count
    finally:
        engine.dispose()


def _day(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        message = f"date attendue au format AAAA-MM-JJ, pas {text!r}"
        raise argparse.ArgumentTypeError(message) from None


def _positive_days(text: str) -> int:
    if not text.strip().isdigit() or int(text) < 1:
        raise argparse.ArgumentTypeError(f"nombre de jours entier et positif attendu, pas {text!r}")
    return int(text)


def _fail(message: str) -> int:
    print(f"Erreur : {message}", file=sys.stderr)
    return 1


def _safe_url(url: str) -> str:
    try:
        return make_url(url).render_as_string(hide_password=True)
    except SQLAlchemyError:
        return "URL illisible"
