"""Flood limits on leads, shared by the replicas: per visitor and for the whole site.

The per-conversation limit (``MAX_SUBMISSIONS_PER_HOUR`` in ``actions/lead_handoff.py``)
is dodged by opening a new conversation, which costs nothing: issue 11's probe
stored and sent 8 leads from one machine. These limits count per visitor, the
pseudonym of the client address that the channel wrote in the message's metadata
(``channels/visitor.py``: an HMAC, never the address), and over all visitors, in
Redis when ``LOCK_STORE_URL`` names one (``stores/counters.py``), so every replica
and every action server process shares them:

- ``LEADS_MAX_PER_ADDRESS_PER_HOUR`` (default 3) leads per visitor in any hour;
- ``LEADS_MAX_PER_HOUR`` (default 30) leads in any hour, whoever sends them.

A lead refused here is neither stored nor sent. A message without a visitor (the
command line) counts only against the overall limit.
"""

import logging
import os
from functools import lru_cache
from typing import List, Optional

from rasa_sdk import Tracker

from stores.counters import VISITOR_METADATA_KEY, Counters, Limit, counters_from_env

logger = logging.getLogger(__name__)

WINDOW_SECONDS = 3600.0


@lru_cache(maxsize=1)
def counters() -> Counters:
    """One set of counters (one Redis connection pool) per action-server process."""
    return counters_from_env()


def visitor_of(tracker: Tracker) -> Optional[str]:
    """The visitor the channel named in the latest message's metadata."""
    for event in reversed(tracker.events):
        if event.get("event") == "user":
            visitor = (event.get("metadata") or {}).get(VISITOR_METADATA_KEY)
            return visitor if isinstance(visitor, str) and visitor else None
    return None


def lead_limit_reached(tracker: Tracker) -> bool:
    """True when this visitor or the whole site sent enough leads this hour.

    Otherwise the lead is counted: call it once, right before storing the lead.
    """
    limits: List[Limit] = [("leads:all", int(os.environ.get("LEADS_MAX_PER_HOUR", "30")))]
    visitor = visitor_of(tracker)
    if visitor:
        per_visitor = int(os.environ.get("LEADS_MAX_PER_ADDRESS_PER_HOUR", "3"))
        limits.insert(0, (f"leads:visitor:{visitor}", per_visitor))
    reached = counters().allow(limits, WINDOW_SECONDS)
    if reached is None:
        return False
    logger.warning("Lead refused: the %s limit of the hour is reached", limits[reached][0])
    return True
