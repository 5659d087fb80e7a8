"""Where the time of a turn goes: NLU components, policies, actions, stores, locks.

Loads the trained model in this process with the project's endpoints (start the
action server first, e.g. `make run` in another terminal, or set
ACTION_SERVER_URL), plays a mix of visitor messages through Rasa's agent under
cProfile, and adds up each function's own time by the part of the stack its
code belongs to. Prints milliseconds per turn for each part, after the plain
time of a turn measured without the profiler.

Usage: python scripts/profile_turn.py [--model models/ptce.tar.gz] [--turns 300]
"""

import argparse
import asyncio
import cProfile
import logging
import os
import pstats
import sys
import tempfile
import time
import uuid
from collections import defaultdict
from pathlib import Path
from typing import Dict, List

from rasa.core.agent import Agent, load_agent
from rasa.core.channels.channel import CollectingOutputChannel, UserMessage
from rasa.core.utils import AvailableEndpoints
from rasa.utils.log_utils import configure_structlog

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # endpoints.yml names the project's stores by module path
MESSAGES = [
    "bonjour",
    "C'est quoi un PTCE ?",
    "quelles formes prend un ptce",
    "jusqu'a quand deposer a l'AMI",
    "merci",
    "ou lire la charte",
    "t'es un robot ?",
    "vos accompagnements",
    "quel temps fait-il ?",
]
# First matching path fragment wins.
PARTS = [
    ("spaCy (SpacyNLP, tokenizer, featurizer)", ("/spacy/", "/thinc/", "spacy_utils", "/spacy_")),
    (
        "TensorFlow models (DIET, ResponseSelector)",
        ("/tensorflow/", "/keras/", "classifiers/diet", "/selectors/", "rasa/utils/tensorflow"),
    ),
    ("sparse featurizers (word and char n-grams)", ("/featurizers/", "/sklearn/", "/scipy/")),
    ("other NLU (tokenizer, fallback, regex)", ("rasa/nlu/",)),
    (
        "policies (RulePolicy)",
        ("rasa/core/policies/", "rasa/core/featurizers/", "rasa/shared/core/generator"),
    ),
    ("tracker store (SQL)", ("/sqlalchemy/", "sqlite3", "tracker_store")),
    ("lock store", ("lock_store", "/redis/")),
    ("action server calls (HTTP)", ("/aiohttp/", "rasa/core/actions/", "/yarl/", "/multidict/")),
    ("graph engine and events", ("rasa/engine/", "rasa/shared/core/", "rasa/core/")),
]


# Rasa functions whose whole cost (callees included) is worth its own line.
HOT_SPOTS = {
    (
        "rasa/shared/utils/common.py",
        "all_subclasses",
    ): "of which: Rasa finding each stored event's class (all_subclasses)",
    (
        "jsonschema/validators.py",
        "validate",
    ): "of which: Rasa validating action server responses (jsonschema)",
}


def part_of(filename: str) -> str:
    for name, fragments in PARTS:
        if any(fragment in filename for fragment in fragments):
            return name
    return "other (asyncio, JSON, Python)"


async def play(agent: Agent, turns: int) -> None:
    sender = uuid.uuid4().hex
    for index in range(turns):
        if index % 20 == 0:
            sender = uuid.uuid4().hex  # conversations of realistic length
        await agent.handle_message(
            UserMessage(MESSAGES[index % len(MESSAGES)], CollectingOutputChannel(), sender)
        )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--model", default=str(ROOT / "models" / "ptce.tar.gz"))
    parser.add_argument("--turns", type=int, default=300)
    args = parser.parse_args()
    os.environ.setdefault("ACTION_SERVER_URL", "http://localhost:5055/webhook")
    configure_structlog(logging.INFO)  # as `rasa run` does: debug events are not printed
    os.environ.setdefault("TRACKER_STORE_URL", f"sqlite:///{tempfile.mkdtemp()}/profile.db")

    async def run() -> Dict[str, float]:
        endpoints = AvailableEndpoints.read_endpoints(str(ROOT / "deploy" / "endpoints.yml"))
        agent = await load_agent(model_path=args.model, endpoints=endpoints)
        await play(agent, 20)  # warm-up: TensorFlow builds its graphs on first use
        began = time.perf_counter()
        await play(agent, args.turns)
        per_turn = (time.perf_counter() - began) / args.turns * 1000
        print(f"without the profiler: {per_turn:.2f} ms per turn")
        profiler = cProfile.Profile()
        began = time.perf_counter()
        profiler.enable()
        await play(agent, args.turns)
        profiler.disable()
        wall = time.perf_counter() - began
        totals: Dict[str, float] = defaultdict(float)
        for (filename, _, function), (_, _, own_time, cumulative, _) in pstats.Stats(
            profiler
        ).stats.items():  # type: ignore[attr-defined]
            totals[part_of(filename)] += own_time
            for (path, name), label in HOT_SPOTS.items():
                if filename.endswith(path) and function == name:
                    totals[label] += cumulative
        totals["wall clock (with profiler overhead)"] = wall
        if os.environ.get("PROFILE_TOP"):
            pstats.Stats(profiler).sort_stats("tottime").print_stats(int(os.environ["PROFILE_TOP"]))
        return totals

    totals = asyncio.run(run())
    wall = totals.pop("wall clock (with profiler overhead)")
    hot = {label: totals.pop(label, 0.0) for label in HOT_SPOTS.values()}
    rows: List[str] = [
        f"| {name} | {seconds / args.turns * 1000:.2f} |"
        for name, seconds in sorted(totals.items(), key=lambda item: -item[1])
    ]
    rows += [f"| {label} | {seconds / args.turns * 1000:.2f} |" for label, seconds in hot.items()]
    print(f"| part of the turn | ms per turn ({args.turns} turns, profiled) |\n|---|---|")
    print("\n".join(rows))
    print(f"| **total, wall clock under the profiler** | **{wall / args.turns * 1000:.2f}** |")


if __name__ == "__main__":
    main()
