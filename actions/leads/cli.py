"""The operator's commands: ``python -m actions.leads export|deliver|delete|purge``.

Run from the project root with the project's venv. The database is
``LEADS_DATABASE_URL`` (default ``var/leads.db``); destinations come from the same
``LEADS_*`` variables as the action server's. Expected errors (bad arguments,
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
from typing import Any, Dict, List, Optional, Sequence, TextIO

from sqlalchemy.engine import make_url
from sqlalchemy.exc import SQLAlchemyError

from actions.leads.destinations import ConfigError, destinations_from_env
from actions.leads.outbox import deliver_due
from actions.leads.store import LeadStore, database_url
from actions.leads.validation import mask_email

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
        return _fail(f"base de données inaccessible ({_safe_url(url)}) : {_first_line(error)}")
    try:
        return arguments.handler(store, arguments)
    except SQLAlchemyError as error:
        return _fail(f"erreur de la base de données : {_first_line(error)}")
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
        "delete", help="supprimer les leads d'une adresse e-mail (droit à l'effacement)"
    )
    remove.add_argument(
        "--email", required=True, metavar="ADRESSE", help="adresse e-mail, casse indifférente"
    )
    remove.set_defaults(handler=_delete)

    purge = commands.add_parser("purge", help="supprimer les leads plus anciens qu'une durée")
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
    count = store.delete_email(arguments.email)
    print(f"{count} lead(s) supprimé(s) pour {mask_email(arguments.email.strip())}.")
    return 0


def _purge(store: LeadStore, arguments: argparse.Namespace) -> int:
    count = store.purge(arguments.older_than)
    print(f"{count} lead(s) de plus de {arguments.older_than} jour(s) supprimé(s).")
    return 0


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


def _first_line(error: BaseException) -> str:
    """The driver's own message, without SQLAlchemy's SQL and documentation link."""
    original = getattr(error, "orig", None) or error
    lines = str(original).strip().splitlines()
    return lines[0] if lines else type(error).__name__


def _safe_url(url: str) -> str:
    try:
        return make_url(url).render_as_string(hide_password=True)
    except SQLAlchemyError:
        return "URL illisible"
