"""Static checks of the deployment files (no Docker engine runs on these machines)."""

import re
from pathlib import Path

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
