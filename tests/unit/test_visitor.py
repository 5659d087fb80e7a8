"""Who the flood limits count (channels/visitor.py) and the servers' secret (channels/secret.py)."""

import ipaddress
import logging
from typing import Iterator, List

import pytest

from channels import secret
from channels.visitor import (
    address_pseudonym,
    client_address,
    parse_trusted_proxies,
    pseudonym,
    visitor_metadata,
)
from stores.counters import VISITOR_METADATA_KEY

NGINX = parse_trusted_proxies("172.30.0.10, 10.0.0.0/8")


@pytest.fixture(autouse=True)
def fixed_secret(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv(secret.SECRET_VARIABLE, "s" * 40)
    secret.server_secret.cache_clear()
    yield
    secret.server_secret.cache_clear()


@pytest.mark.parametrize(
    "peer, forwarded, expected",
    [
        ("203.0.113.7", [], "203.0.113.7"),
        # Not from a trusted proxy: the header is the client's own word, ignored.
        ("203.0.113.7", ["198.51.100.1"], "203.0.113.7"),
        # nginx appends the peer it saw; what the client wrote before it is ignored.
        ("172.30.0.10", ["6.6.6.6, 203.0.113.7"], "203.0.113.7"),
        ("172.30.0.10", ["6.6.6.6", "203.0.113.7"], "203.0.113.7"),
        # A chain of trusted proxies (TLS front, then nginx) is walked back.
        ("172.30.0.10", ["6.6.6.6, 203.0.113.7, 10.1.2.3"], "203.0.113.7"),
        # A trusted proxy that wrote garbage counts as the visitor itself.
        ("172.30.0.10", ["n'importe quoi"], "172.30.0.10"),
        ("::ffff:203.0.113.7", [], "203.0.113.7"),
    ],
)
def test_the_client_address_trusts_forwarded_for_only_from_trusted_proxies(
    peer: str, forwarded: List[str], expected: str
) -> None:
    assert client_address(peer, forwarded, NGINX) == ipaddress.ip_address(expected)


def test_an_address_becomes_a_pseudonym_and_an_ipv6_network_counts_once() -> None:
    def of(text: str) -> str:
        return address_pseudonym(ipaddress.ip_address(text))

    assert of("203.0.113.7") != of("203.0.113.8")
    assert "203.0.113.7" not in of("203.0.113.7") and len(of("203.0.113.7")) == 32
    assert of("2001:db8:1:2::1") == of("2001:db8:1:2:ffff::9")  # one /64
    assert of("2001:db8:1:2::1") != of("2001:db8:1:3::1")


def test_the_pseudonym_depends_on_the_secret(monkeypatch: pytest.MonkeyPatch) -> None:
    before = pseudonym("203.0.113.7")
    monkeypatch.setenv(secret.SECRET_VARIABLE, "t" * 40)
    secret.server_secret.cache_clear()
    assert pseudonym("203.0.113.7") != before


def test_the_server_names_the_visitor_whatever_the_client_wrote() -> None:
    forged = {"language": "fr", VISITOR_METADATA_KEY: "quelqu'un d'autre", "x": "y" * 3000}
    assert visitor_metadata(forged, "v" * 32) == {"language": "fr", VISITOR_METADATA_KEY: "v" * 32}
    huge = {"language": "x" * 5000, VISITOR_METADATA_KEY: "forgé"}
    assert visitor_metadata(huge, "v" * 32) == {VISITOR_METADATA_KEY: "v" * 32}


def test_a_wrong_trusted_proxy_stops_the_server() -> None:
    with pytest.raises(ValueError):
        parse_trusted_proxies("nginx")


def test_without_secret_each_process_draws_one_and_says_so(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.delenv(secret.SECRET_VARIABLE)
    secret.server_secret.cache_clear()
    with caplog.at_level(logging.WARNING):
        first = secret.server_secret()
    secret.server_secret.cache_clear()
    assert len(first) == 32 and first != secret.server_secret()
    assert secret.SECRET_VARIABLE in caplog.text


def test_a_short_secret_stops_the_server(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(secret.SECRET_VARIABLE, "court")
    secret.server_secret.cache_clear()
    with pytest.raises(ValueError):
        secret.server_secret()
