"""Static checks of the deployment files (no Docker engine runs on these machines)."""

import os
import re
import subprocess
from pathlib import Path
from typing import Set, Tuple

import yaml

from tests.support.content import ROOT, load_yaml

COMPOSE = load_yaml("docker-compose.yml")


def copy_sources(dockerfile: Path):
    for line in dockerfile.read_text().splitlines():
        if line.startswith("COPY "):
            yield from line.split()[1:-1]


def test_every_file_the_images_copy_exists() -> None:
    for dockerfile in (ROOT / "deploy").glob("Dockerfile.*"):
        for source in copy_sources(dockerfile):
            assert (ROOT / source).exists(), f"{dockerfile.name} copies missing {source}"


def test_images_pin_python_310_and_run_as_a_user() -> None:
    for dockerfile in (ROOT / "deploy").glob("Dockerfile.*"):
        text = dockerfile.read_text()
        assert text.startswith("#") and "FROM python:3.10-slim" in text
        assert re.search(r"^USER \w+", text, re.MULTILINE)
        assert "-r requirements.txt" in text


def test_compose_runs_two_rasa_replicas_on_postgres_and_redis_behind_nginx() -> None:
    services = COMPOSE["services"]
    assert set(services) == {"postgres", "redis", "actions", "rasa", "nginx"}
    assert services["rasa"]["deploy"]["replicas"] == 2
    env = services["rasa"]["environment"]
    assert env["TRACKER_STORE_URL"].startswith("postgresql://")
    assert env["LOCK_STORE_URL"].startswith("redis://")
    assert "ports" not in services["actions"] and "ports" not in services["rasa"]


def test_compose_needs_its_secrets_from_the_environment() -> None:
    text = (ROOT / "docker-compose.yml").read_text()
    assert "${POSTGRES_PASSWORD:?" in text
    assert not re.search(r"PASSWORD: [^$\s]", text)


def test_nginx_keeps_socketio_sessions_sticky_and_upgrades_websockets() -> None:
    conf = (ROOT / "deploy" / "nginx.conf").read_text()
    assert "ip_hash;" in conf
    assert 'proxy_set_header Connection "upgrade";' in conf
    for volume in COMPOSE["services"]["nginx"]["volumes"]:
        # web/static/ is built by `make web`, which make test runs first.
        assert (ROOT / volume.split(":")[0]).exists(), volume


def test_compose_file_is_plain_yaml() -> None:
    assert yaml.safe_load((ROOT / "docker-compose.yml").read_text())["volumes"] == {
        "postgres-data": None
    }


SERVICES = COMPOSE["services"]
# postgresql://<user>:${<PASSWORD VARIABLE>:?…}@postgres:5432/<database>
DATABASE_URL = re.compile(r"postgresql://(\w+):\$\{(\w+):\?[^}]*\}@postgres:5432/(\w+)$")
INIT_SCRIPT = ROOT / "deploy" / "postgres-init.sh"


def test_dotenv_is_ignored_by_git() -> None:
    """The compose file reads its secrets from ``.env``: it must never be committed."""
    ignored = subprocess.run(["git", "check-ignore", "-q", ".env"], cwd=ROOT, check=False)
    assert ignored.returncode == 0


def _database(service: str, variable: str) -> Tuple[str, ...]:
    match = DATABASE_URL.match(SERVICES[service]["environment"][variable])
    assert match, f"{service}'s {variable} is not a postgresql URL with a required password"
    return match.groups()


def test_leads_and_conversations_have_their_own_postgresql_user_and_database() -> None:
    """A leak of one service's URL gives neither the other store nor the superuser."""
    conversations = _database("rasa", "TRACKER_STORE_URL")
    leads = _database("actions", "LEADS_DATABASE_URL")
    for first, second in zip(conversations, leads, strict=True):
        assert first != second  # user, password variable and database all differ
    assert "POSTGRES_PASSWORD" not in {conversations[1], leads[1]}
    assert {conversations[0], leads[0]}.isdisjoint({"postgres", "rasa"})

    postgres = SERVICES["postgres"]
    mounts = {volume.split(":")[0]: volume.split(":")[1] for volume in postgres["volumes"]}
    assert mounts["./deploy/postgres-init.sh"].startswith("/docker-entrypoint-initdb.d/")
    assert os.access(INIT_SCRIPT, os.X_OK)  # executed by the image, not sourced into it
    script = INIT_SCRIPT.read_text()
    assert script.startswith("#!/bin/") and "set -eu" in script and "ON_ERROR_STOP=1" in script
    for user, password, database in (conversations, leads):
        assert postgres["environment"][password] == f"${{{password}:?set {password}}}"
        assert f'"${password}"' in script  # given to psql as a variable, never inlined
        assert re.search(rf"CREATE ROLE {user} LOGIN PASSWORD :'\w+'", script)
        assert f"CREATE DATABASE {database} OWNER {user}" in script
        assert f"REVOKE ALL ON DATABASE {database} FROM PUBLIC" in script


def _variables_read_by(service: str) -> Set[str]:
    """Upper-case names found in the files the service's image copies: what it can read."""
    dockerfile = ROOT / SERVICES[service]["build"]["dockerfile"]
    names: Set[str] = set()
    for source in copy_sources(dockerfile):
        paths = [ROOT / source] if (ROOT / source).is_file() else (ROOT / source).rglob("*")
        for path in paths:
            if path.suffix in (".py", ".yml"):
                names |= set(re.findall(r"\b[A-Z][A-Z0-9_]{3,}\b", path.read_text()))
    return names


def test_each_service_gets_only_the_variables_its_code_reads() -> None:
    for service in ("rasa", "actions"):
        given = set(SERVICES[service]["environment"])
        assert given <= _variables_read_by(service), service
    rasa, actions = (set(SERVICES[name]["environment"]) for name in ("rasa", "actions"))
    assert not {name for name in rasa if name.startswith("LEADS_")}
    assert not {name for name in actions if name.startswith("TELEGRAM_")}
    assert "TRACKER_STORE_URL" not in actions and "POSTGRES_PASSWORD" not in rasa | actions
    for service in ("nginx", "redis"):
        assert "environment" not in SERVICES[service]


def test_replicas_share_a_required_secret_trust_only_nginx_and_count_in_redis() -> None:
    """One secret for both replicas (signed sessions, visitor pseudonyms), required;
    X-Forwarded-For trusted from nginx's fixed address only; the action server's lead
    limits on the same Redis as the replicas' locks and message limits."""
    rasa, actions = (SERVICES[name]["environment"] for name in ("rasa", "actions"))
    assert rasa["WEBCHAT_SESSION_SECRET"].startswith("${WEBCHAT_SESSION_SECRET:?")
    nginx = SERVICES["nginx"]["networks"]["default"]["ipv4_address"]
    assert rasa["TRUSTED_PROXIES"] == nginx
    assert actions["LOCK_STORE_URL"] == rasa["LOCK_STORE_URL"]
