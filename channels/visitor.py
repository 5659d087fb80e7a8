"""Who sends a message, as the flood limits count visitors: the client address, pseudonymised.

The address is the TCP peer of the request or socket. Behind nginx the peer is
nginx itself, so ``X-Forwarded-For`` is read, but only while the hop that wrote it
is in ``TRUSTED_PROXIES`` (comma-separated addresses or networks; the compose file
names nginx): anyone else can write any address in that header. Walking it from
the right, the first untrusted hop is the visitor. An IPv6 visitor counts by its
/64 network, which one subscriber usually holds whole.

The address is personal data: it is never stored. The channel puts an HMAC of it
(keyed by ``WEBCHAT_SESSION_SECRET``, ``channels/secret.py``) in the message's
metadata, overriding anything the client sent under that key, and the action
server counts leads by that pseudonym. Telegram visitors come through Telegram's
few servers, so there the pseudonym is that of the Telegram user, whom Telegram
vouches for with the webhook's secret token.
"""

import ipaddress
import os
from functools import lru_cache
from typing import Any, Dict, Iterable, List, Optional, Sequence, Union

from sanic.request import Request

from channels.bounds import bounded_metadata
from channels.secret import keyed_digest
from stores.counters import VISITOR_METADATA_KEY

TRUSTED_PROXIES_VARIABLE = "TRUSTED_PROXIES"
PSEUDONYM_LENGTH = 32
IPV6_NETWORK_BITS = 64

Network = Union[ipaddress.IPv4Network, ipaddress.IPv6Network]
Address = Union[ipaddress.IPv4Address, ipaddress.IPv6Address]


def parse_trusted_proxies(value: Optional[str]) -> List[Network]:
    """The networks of a comma-separated list; a wrong item stops the server."""
    networks = []
    for item in (part.strip() for part in (value or "").split(",")):
        if item:
            try:
                networks.append(ipaddress.ip_network(item, strict=False))
            except ValueError as error:
                raise ValueError(
                    f"{TRUSTED_PROXIES_VARIABLE}: {item!r} is not an address"
                ) from error
    return networks


@lru_cache(maxsize=1)
def trusted_proxies() -> List[Network]:
    return parse_trusted_proxies(os.environ.get(TRUSTED_PROXIES_VARIABLE))


def _address(text: str) -> Optional[Address]:
    try:
        address = ipaddress.ip_address(text.strip())
    except ValueError:
        return None
    mapped = getattr(address, "ipv4_mapped", None)
    return mapped or address


def client_address(
    peer: str, forwarded_for: Iterable[str], trusted: Optional[Sequence[Network]] = None
) -> Optional[Address]:
    """The visitor's address: the peer, or the nearest untrusted hop behind trusted ones."""
    trusted = trusted_proxies() if trusted is None else trusted
    hops = [hop for header in forwarded_for for hop in header.split(",")]
    address = _address(peer)
    while address is not None and hops and any(address in network for network in trusted):
        hop = _address(hops.pop())
        if hop is None:  # a trusted proxy wrote garbage: count the proxy
            break
        address = hop
    return address


def pseudonym(identity: str) -> str:
    """What the stores and counters see of a visitor: a keyed hash, never the identity."""
    return keyed_digest("visitor", identity)[:PSEUDONYM_LENGTH]


def address_pseudonym(address: Optional[Address]) -> str:
    """The pseudonym of an address (of its /64 network for IPv6)."""
    if address is None:
        return pseudonym("unknown")
    if address.version == 6:
        network = ipaddress.ip_network(f"{address}/{IPV6_NETWORK_BITS}", strict=False)
        return pseudonym(str(network))
    return pseudonym(str(address))


def request_pseudonym(request: Request) -> str:
    """The pseudonym of the visitor who sent a Sanic request (HTTP or socket.io)."""
    forwarded = request.headers.getall("x-forwarded-for", [])
    return address_pseudonym(client_address(request.ip, forwarded))


def visitor_metadata(metadata: Any, visitor: str) -> Dict[str, Any]:
    """The client's metadata within its bounds, with the visitor set by the server."""
    return dict(bounded_metadata(metadata), **{VISITOR_METADATA_KEY: visitor})
