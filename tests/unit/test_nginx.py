"""What nginx (deploy/nginx.conf) routes to the internet, read as nginx picks a location.

No Docker engine runs on these machines, so the file is checked statically: each
path is matched the way nginx matches it (an exact ``=`` location first, then the
longest prefix, then the regular expressions in order unless the prefix is ``^~``),
and the test asks what that location does. Adding ``location /webhooks/`` back, or
a page at ``/``, fails here.
"""

import re
from typing import List, NamedTuple, Optional

import pytest

from tests.support.content import ROOT, load_yaml

CONF = (ROOT / "deploy" / "nginx.conf").read_text(encoding="utf-8")
# location [modifier] pattern { body }   (bodies of this file hold no nested block)
LOCATION = re.compile(r"^\s*location\s+(?:(=|\^~|~\*?)\s+)?(\S+)\s*\{([^}]*)\}", re.M)


class Location(NamedTuple):
    modifier: str
    pattern: str
    body: str


LOCATIONS = [Location(m or "", p, b) for m, p, b in LOCATION.findall(CONF)]


def location_for(path: str, locations: List[Location] = LOCATIONS) -> Optional[Location]:
    """The location nginx would pick for ``path``."""
    for location in locations:
        if location.modifier == "=" and location.pattern == path:
            return location
    prefixes = [
        location
        for location in locations
        if location.modifier in ("", "^~") and path.startswith(location.pattern)
    ]
    longest = max(prefixes, key=lambda location: len(location.pattern), default=None)
    if longest is not None and longest.modifier == "^~":
        return longest
    for location in locations:
        flags = re.I if location.modifier == "~*" else 0
        if location.modifier.startswith("~") and re.search(location.pattern, path, flags):
            return location
    return longest


def proxied(path: str) -> bool:
    """True when nginx passes ``path`` on to the Rasa servers."""
    location = location_for(path)
    return location is not None and "proxy_pass" in location.body


def refused(path: str) -> bool:
    location = location_for(path)
    return location is not None and re.search(r"\breturn 404;", location.body) is not None


def test_the_matcher_reads_nginx_as_nginx_does() -> None:
    """The matcher itself: exact beats prefix, regex beats prefix, ``^~`` beats regex."""
    locations = [
        Location("", "/", "return 404;"),
        Location("", "/webhooks/", "proxy_pass http://rasa;"),
        Location("=", "/webhooks/x", "exact"),
        Location("~", "^/webhooks/r", "regex"),
        Location("^~", "/webhooks/rest/", "stop"),
    ]
    assert location_for("/webhooks/x", locations).body == "exact"
    assert location_for("/webhooks/rx", locations).body == "regex"
    assert location_for("/webhooks/rest/webhook", locations).body == "stop"
    assert location_for("/webhooks/telegram/", locations).pattern == "/webhooks/"
    assert location_for("/other", locations).pattern == "/"


@pytest.mark.parametrize("path", ["/socket.io/", "/webhooks/telegram/webhook"])
def test_nginx_routes_the_widget_and_telegrams_webhook(path: str) -> None:
    assert proxied(path)


@pytest.mark.parametrize(
    "path",
    [
        "/webhooks/rest/webhook",
        "/webhooks/rest/",
        "/webhooks/rest/webhook/",
        "/webhooks/callback/webhook",
        "/webhooks/telegram/",
        "/webhooks/socketio/",
        "/model/parse",
        "/conversations/abc/tracker",
        "/status",
        "/version",
        "/",
    ],
)
def test_nginx_does_not_route_the_rest_channel_nor_the_api(path: str) -> None:
    """The REST channel takes any sender id as given: it stays on the private network."""
    assert not proxied(path) and refused(path)


def test_every_routed_location_is_rate_limited_and_names_the_visitor() -> None:
    """The servers trust ``X-Forwarded-For`` from nginx only (TRUSTED_PROXIES): nginx
    must append the peer it saw, and slow down one address before Rasa works."""
    routed = [location for location in LOCATIONS if "proxy_pass" in location.body]
    assert {location.pattern for location in routed} == {
        "/socket.io/",
        "/webhooks/telegram/webhook",
    }
    for location in routed:
        assert "proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;" in location.body
        zone = re.search(r"limit_req zone=(\w+)", location.body)
        assert zone and re.search(rf"limit_req_zone \$binary_remote_addr zone={zone[1]}:", CONF)


@pytest.mark.parametrize("path", ["/", "/index.html", "/demo.css", "/?socket=http://evil.example"])
def test_nginx_serves_no_demo_page(path: str) -> None:
    """web/index.html's ``?socket=`` points the page at any server: not in production."""
    assert refused(path.split("?")[0])


def test_compose_gives_nginx_the_widget_bundle_and_nothing_else_of_web() -> None:
    volumes = load_yaml("docker-compose.yml")["services"]["nginx"]["volumes"]
    web = [volume.split(":")[:2] for volume in volumes if volume.startswith("./web")]
    assert web == [["./web/static", "/usr/share/nginx/html/static"]]
    served = location_for("/static/webchat.js")
    assert served is not None and "root /usr/share/nginx/html;" in served.body
