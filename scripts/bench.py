"""Load benchmark of the REST channel: this assistant against Rasa's starter bot.

For each set-up it starts the servers, measures the cold start (process start to
first answer), one visitor's turn latency, then N concurrent visitors who send
without pause (a mix of sheet questions, small talk and lead conversations),
and reads the Rasa server's peak memory (VmHWM). Set-ups: this assistant with
one replica (SQLite, in-memory locks), with two replicas (PostgreSQL, Redis,
client-side round robin), the starter bot of `rasa init` (stock pipeline), and
that starter bot with no model at all (keyword intents, rules and memoization):
what Rasa 3.6 itself costs per turn on this machine, the ceiling of any bot.
The figures and the machine go to BENCHMARKS.md.

Usage: python scripts/bench.py [--visitors 16] [--seconds 30] [--rounds 3] [--skip-training]
                               [--setups one,two,starter,floor]
"""

import argparse
import asyncio
import os
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Dict, List, Optional, Sequence

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # the servers are started as the end-to-end tests start them

from scripts.bench_report import row, write_report  # noqa: E402
from scripts.bench_visitors import SMALL_TALK, STARTER, Result, drive, wait_for_answer  # noqa: E402
from tests.support import databases  # noqa: E402
from tests.support.ports import free_port  # noqa: E402
from tests.support.processes import (  # noqa: E402
    BIN,
    DEPLOY_ENDPOINTS,
    base_env,
    launch_actions,
    rasa_run_command,
    start,
    stop,
)

POSTGRES = os.environ.get("BENCH_POSTGRES_URL", databases.POSTGRES)
REDIS = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/10")


# The starter bot with nothing to compute: Rasa's own cost per turn.
FLOOR_CONFIG = """recipe: default.v1
language: en
assistant_id: floor
pipeline:
- name: KeywordIntentClassifier
policies:
- name: MemoizationPolicy
- name: RulePolicy
"""
ALL_SETUPS = ("one", "two", "starter", "floor")


@dataclass
class Server:
    process: subprocess.Popen
    url: str
    started: float
    cold_start: float = 0.0


@dataclass
class Setup:
    """Servers to start (one environment per replica) and the visitor script they get."""

    key: str
    name: str
    model: Path
    cwd: Path
    envs: List[Dict[str, str]]
    starter: bool = False
    before: Optional[Callable[[], None]] = None
    # The project's servers read ACTION_SERVER_URL through deploy/endpoints.yml.
    endpoints: str = "endpoints.yml"


def peak_memory_mb(pid: int) -> float:
    """The process's peak resident memory (VmHWM), in MB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return 0.0


def start_rasa(model: Path, cwd: Path, endpoints: str, env: Dict[str, str], log: Path) -> Server:
    """A Rasa server starting (not waited for: its cold start is measured)."""
    port = free_port()
    process = start(rasa_run_command(port, str(model), endpoints), log, env, cwd)
    return Server(process, f"http://127.0.0.1:{port}", time.monotonic())


def run_setup(setup: Setup, visitors: int, seconds: float, work: Path) -> Result:
    """Start the set-up's servers, wait for their first answer, drive the load, stop them."""
    if setup.before:
        setup.before()
    name, starter = setup.name, setup.starter
    servers = [
        start_rasa(setup.model, setup.cwd, setup.endpoints, env, work / f"{setup.key}-{i}.log")
        for i, env in enumerate(setup.envs)
    ]
    try:

        async def ready() -> None:
            warmup = STARTER[0] if starter else SMALL_TALK[0]
            await asyncio.gather(*(wait_for_answer(s.url, s.process, warmup) for s in servers))

        asyncio.run(ready())
        cold = time.monotonic() - min(s.started for s in servers)
        result = Result(name, len(servers), cold)
        asyncio.run(drive([s.url for s in servers], visitors, seconds, starter, result))
        result.peak_mb = max(peak_memory_mb(s.process.pid) for s in servers)
        return result
    finally:
        stop([s.process for s in servers])


def timed(command: Sequence[str], cwd: Path, env: Dict[str, str]) -> float:
    began = time.monotonic()
    subprocess.run(
        list(command),
        cwd=cwd,
        env=env,
        check=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    return time.monotonic() - began


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--visitors", type=int, default=16)
    parser.add_argument("--seconds", type=float, default=30)
    parser.add_argument(
        "--rounds",
        type=int,
        default=3,
        help="run every set-up this many times, in turn, and pool the turns: the machine's "
        "speed drifts by 10 to 15 %% from one run to the next",
    )
    parser.add_argument(
        "--skip-training",
        action="store_true",
        help="reuse models/ptce.tar.gz, report no training time",
    )
    parser.add_argument("--out", type=Path, default=ROOT / "BENCHMARKS.md")
    parser.add_argument(
        "--setups",
        default=",".join(ALL_SETUPS),
        help="which set-ups to run: one and two replicas of this assistant, the starter bot, "
        "the starter bot without a model",
    )
    args = parser.parse_args()
    chosen = [key for key in ALL_SETUPS if key in args.setups.split(",")]

    # Every simulated visitor comes from 127.0.0.1: the flood limits would measure themselves.
    unlimited = "100000"
    base = dict(
        base_env(),
        SANIC_HOST="127.0.0.1",
        RATE_LIMIT_MESSAGES=unlimited,
        RATE_LIMIT_MESSAGES_PER_ADDRESS=unlimited,
        LEADS_MAX_PER_ADDRESS_PER_HOUR=unlimited,
        LEADS_MAX_PER_HOUR=unlimited,
    )
    work = Path(tempfile.mkdtemp(prefix="ptce-bench-"))
    training: Dict[str, float] = {}
    model = ROOT / "models" / "ptce.tar.gz"
    if not args.skip_training:
        training["this assistant"] = timed(
            [
                str(BIN / "rasa"),
                "train",
                "--force",
                "--fixed-model-name",
                "bench",
                "--out",
                str(work),
            ],
            ROOT,
            base,
        )
        model = work / "bench.tar.gz"
    starter = prepare_starter(base, work, chosen, training)

    actions, actions_url = launch_actions(
        work, dict(base, LEADS_DATABASE_URL=f"sqlite:///{work / 'leads.db'}")
    )
    env = dict(base, ACTION_SERVER_URL=actions_url)
    single = dict(env, TRACKER_STORE_URL=f"sqlite:///{work / 'conversations.db'}")
    shared = dict(env, TRACKER_STORE_URL=f"{POSTGRES}/ptce_bench", LOCK_STORE_URL=REDIS)
    setups = {
        "one": Setup("one", "this assistant", model, ROOT, [single], endpoints=DEPLOY_ENDPOINTS),
        "two": Setup(
            "two",
            "this assistant",
            model,
            ROOT,
            [shared, shared],
            before=lambda: databases.recreate_database("ptce_bench", POSTGRES),
            endpoints=DEPLOY_ENDPOINTS,
        ),
        "starter": Setup(
            "starter",
            "Rasa starter bot (`rasa init`)",
            starter / "models" / "starter.tar.gz",
            starter,
            [base],
            starter=True,
        ),
        "floor": Setup(
            "floor",
            "starter bot without a model (Rasa's floor)",
            starter / "models" / "floor.tar.gz",
            starter,
            [base],
            starter=True,
        ),
    }
    runs: Dict[str, List[Result]] = {key: [] for key in chosen}
    try:
        # Rounds of every set-up in turn, so that a slower spell of the machine hits all of them.
        for round_number in range(1, args.rounds + 1):
            for key in chosen:
                runs[key].append(run_setup(setups[key], args.visitors, args.seconds, work))
                print(f"round {round_number}: {row(runs[key][-1])}", flush=True)
    finally:
        stop([actions])
    if chosen == list(ALL_SETUPS):
        write_report(args, runs, training)  # a partial run only prints its rows
    shutil.rmtree(work, ignore_errors=True)


def prepare_starter(
    base: Dict[str, str], work: Path, chosen: List[str], training: Dict[str, float]
) -> Path:
    """Rasa's own starter bot (`rasa init`), trained as is and with no model (FLOOR_CONFIG)."""
    starter = work / "starter"
    starter.mkdir()
    if not {"starter", "floor"} & set(chosen):
        return starter
    subprocess.run(
        [str(BIN / "rasa"), "init", "--no-prompt", "--init-dir", str(starter)],
        cwd=starter,
        env=base,
        check=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    (starter / "floor.yml").write_text(FLOOR_CONFIG)
    for key, config in (("starter", "config.yml"), ("floor", "floor.yml")):
        seconds = timed(
            [
                str(BIN / "rasa"),
                "train",
                "--force",
                "--config",
                config,
                "--fixed-model-name",
                key,
                "--out",
                str(starter / "models"),
            ],
            starter,
            base,
        )
        if key == "starter":
            training["Rasa starter bot"] = seconds
    return starter


if __name__ == "__main__":
    main()
