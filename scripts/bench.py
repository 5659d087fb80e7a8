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
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass, field
from itertools import cycle, islice
from pathlib import Path
from typing import Callable, Dict, List, Optional, Sequence

import aiohttp

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
DEPLOY_ENDPOINTS = "deploy/endpoints.yml"
POSTGRES = os.environ.get("BENCH_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432")
REDIS = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/10")
START, END = "<!-- measured by scripts/bench.py -->", "<!-- end of measured figures -->"

SHEET_QUESTIONS = [
    "C'est quoi un PTCE ?",
    "quelles formes prend un ptce",
    "les ptce sont reconnus par quelle loi",
    "qui a écrit le rapport relancer les ptce",
    "jusqu'a quand deposer un dossier a l'AMI",
    "ou lire la nouvelle charte",
    "quelle est la vision du cabinet",
    "vos accompagnements",
]
SMALL_TALK = ["bonjour", "merci", "t'es un robot ?", "quel temps fait-il ?", "au revoir"]
LEAD = [
    "je voudrais être recontacté",
    "/affirm",
    "Camille Martin",
    "camille@exemple.fr",
    "/deny",
    "Commune de Vire",
    "Collectivité",
    "Calvados",
    "Relancer un PTCE",
    "Nous voulons relancer notre PTCE.",
    "/cancel",
]
STARTER = ["hello", "I am sad", "yes", "great", "bye", "are you a bot?", "hi", "not very good"]
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
# A simulated visitor leaves after this many messages and a new one arrives:
# conversations of a realistic length, the same for both bots.
CONVERSATION_TURNS = 12


def visitor_script(index: int, starter: bool) -> List[str]:
    """What visitor ``index`` sends, in a loop: one in four runs a lead conversation."""
    if starter:
        return STARTER
    if index % 4 == 3:
        return LEAD
    return SHEET_QUESTIONS[index % 3 :: 2] + SMALL_TALK[index % 2 :: 2]


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


@dataclass
class Result:
    name: str
    replicas: int
    cold_start: float
    single: List[float] = field(default_factory=list)
    loaded: List[float] = field(default_factory=list)
    seconds: float = 0.0
    errors: int = 0
    peak_mb: float = 0.0

    @property
    def turns_per_second(self) -> float:
        return len(self.loaded) / self.seconds

    def row(self) -> str:
        def q(values: List[float], p: int) -> float:
            """The p-th percentile in milliseconds."""
            return statistics.quantiles(values, n=100)[p - 1] * 1000 if len(values) > 1 else 0.0

        return (
            f"| {self.name} | {self.replicas} | {self.turns_per_second:.1f} | "
            f"{q(self.loaded, 50):.0f} | {q(self.loaded, 95):.0f} | {q(self.loaded, 99):.0f} | "
            f"{q(self.single, 50):.1f} | {q(self.single, 95):.1f} | {self.cold_start:.1f} | "
            f"{self.peak_mb:.0f} | {self.errors} |"
        )


def free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def peak_memory_mb(pid: int) -> float:
    """The process's peak resident memory (VmHWM), in MB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return 0.0


async def wait_for_answer(
    url: str, process: subprocess.Popen, warmup: str, timeout: float = 300
) -> None:
    deadline = time.monotonic() + timeout
    async with aiohttp.ClientSession() as session:
        while time.monotonic() < deadline:
            if process.poll() is not None:
                raise RuntimeError(f"server at {url} exited with {process.returncode}")
            try:
                async with session.post(
                    f"{url}/webhooks/rest/webhook", json={"sender": "warmup", "message": warmup}
                ) as response:
                    if response.status == 200 and await response.json():
                        return
            except aiohttp.ClientError:
                pass
            await asyncio.sleep(0.2)
    raise RuntimeError(f"server at {url} did not answer within {timeout} s")


def start(command: Sequence[str], cwd: Path, env: Dict[str, str], log: Path) -> subprocess.Popen:
    return subprocess.Popen(
        list(command), cwd=cwd, env=env, stdout=log.open("w"), stderr=subprocess.STDOUT
    )


def start_rasa(model: Path, cwd: Path, endpoints: str, env: Dict[str, str], log: Path) -> Server:
    port = free_port()
    command = [
        str(BIN / "rasa"),
        "run",
        "--model",
        str(model),
        "--interface",
        "127.0.0.1",
        "--port",
        str(port),
        "--endpoints",
        endpoints,
    ]
    return Server(start(command, cwd, env, log), f"http://127.0.0.1:{port}", time.monotonic())


async def one_visitor(
    urls: List[str],
    script: List[str],
    stop_at: float,
    latencies: List[float],
    errors: List[int],
    session: aiohttp.ClientSession,
    limit: Optional[int] = None,
) -> None:
    """Visitors one after another on this slot, each sending the script from its start."""
    targets, sent = cycle(urls), 0
    while True:
        sender = uuid.uuid4().hex
        for message in islice(cycle(script), CONVERSATION_TURNS):
            if time.monotonic() >= stop_at or (limit is not None and sent >= limit):
                return
            began = time.perf_counter()
            try:
                async with session.post(
                    f"{next(targets)}/webhooks/rest/webhook",
                    json={"sender": sender, "message": message},
                ) as response:
                    await response.read()
                    ok = response.status == 200
            except aiohttp.ClientError:
                ok = False
            latencies.append(time.perf_counter() - began) if ok else errors.append(1)
            sent += 1


async def drive(
    urls: List[str], visitors: int, seconds: float, starter: bool, result: Result
) -> None:
    timeout = aiohttp.ClientTimeout(total=60)
    async with aiohttp.ClientSession(
        timeout=timeout, connector=aiohttp.TCPConnector(limit=0)
    ) as session:
        errors: List[int] = []
        # One visitor alone: the latency a visitor sees on a quiet server.
        await one_visitor(
            urls,
            visitor_script(0, starter),
            time.monotonic() + 60,
            result.single,
            errors,
            session,
            limit=60,
        )
        began = time.monotonic()
        await asyncio.gather(
            *(
                one_visitor(
                    urls,
                    visitor_script(i, starter),
                    began + seconds,
                    result.loaded,
                    errors,
                    session,
                )
                for i in range(visitors)
            )
        )
        result.seconds = time.monotonic() - began
        result.errors = len(errors)


def stop(processes: Sequence[subprocess.Popen]) -> None:
    for process in processes:
        process.terminate()
    for process in processes:
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()


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


def recreate_database(name: str) -> None:
    from sqlalchemy import create_engine, text

    engine = create_engine(f"{POSTGRES}/postgres", isolation_level="AUTOCOMMIT", future=True)
    with engine.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    engine.dispose()


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

    base = dict(
        os.environ,
        RASA_TELEMETRY_ENABLED="false",
        TF_CPP_MIN_LOG_LEVEL="2",
        SQLALCHEMY_SILENCE_UBER_WARNING="1",
        SANIC_HOST="127.0.0.1",
        RATE_LIMIT_MESSAGES="100000",
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

    actions_port = free_port()
    actions = start(
        [str(BIN / "rasa"), "run", "actions", "--actions", "actions", "--port", str(actions_port)],
        ROOT,
        dict(base, LEADS_DATABASE_URL=f"sqlite:///{work / 'leads.db'}"),
        work / "actions.log",
    )
    env = dict(base, ACTION_SERVER_URL=f"http://127.0.0.1:{actions_port}/webhook")
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
            before=lambda: recreate_database("ptce_bench"),
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
                print(f"round {round_number}: {runs[key][-1].row()}", flush=True)
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


def pooled(runs: List[Result]) -> Result:
    """One row for several rounds: every turn counted, the median cold start, the highest memory."""
    return Result(
        runs[0].name,
        runs[0].replicas,
        statistics.median(run.cold_start for run in runs),
        single=[latency for run in runs for latency in run.single],
        loaded=[latency for run in runs for latency in run.loaded],
        seconds=sum(run.seconds for run in runs),
        errors=sum(run.errors for run in runs),
        peak_mb=max(run.peak_mb for run in runs),
    )


def write_report(
    args: argparse.Namespace, runs: Dict[str, List[Result]], training: Dict[str, float]
) -> None:
    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        platform.processor(),
    )
    memory = int(Path("/proc/meminfo").read_text().split()[1]) // 1024 // 1024
    results = [pooled(runs[key]) for key in ALL_SETUPS]
    ours, two, starter, floor = results
    spread = "; ".join(
        f"{rounds[0].name}, {rounds[0].replicas} × "
        + ", ".join(f"{run.turns_per_second:.1f}" for run in rounds)
        for rounds in runs.values()
    )
    lines = [
        f"Measured by `make bench` (`scripts/bench.py --visitors {args.visitors} "
        f"--seconds {args.seconds:g} --rounds {args.rounds}`) on "
        f"{time.strftime('%Y-%m-%d')}: {os.cpu_count()} cores ({cpu}), {memory} GB, "
        f"Python {platform.python_version()}.",
        f"{args.visitors} simulated visitors send without pause for {args.seconds:g} s over "
        "the REST channel; one in four runs a lead conversation, the others sheet questions "
        f"and small talk; each simulated visitor leaves after {CONVERSATION_TURNS} messages "
        "and a new one takes its place. Two replicas share PostgreSQL (tracker store) and "
        "Redis (lock store), the load alternating between them. The last row is the starter "
        "bot trained without any model (keyword intents, rules, memoization, in-memory "
        "store): what Rasa 3.6 itself costs per turn here.",
        "",
        "| bot | replicas | turns/s | p50 ms | p95 ms | p99 ms | 1 visitor p50 ms "
        "| 1 visitor p95 ms | cold start s | peak memory MB (per server) | errors |",
        "|---|---|---|---|---|---|---|---|---|---|---|",
        *[result.row() for result in results],
        "",
        "Against the starter bot: "
        f"{ours.turns_per_second / starter.turns_per_second:.1f} × its turns/s with one "
        f"replica, {two.turns_per_second / starter.turns_per_second:.1f} × with two; "
        f"Rasa's floor is {floor.turns_per_second / starter.turns_per_second:.1f} ×.",
        f"Each row pools {args.rounds} rounds of every set-up in turn; "
        f"turns/s of each round: {spread}.",
        "",
        "Training time: "
        + (
            ", ".join(f"{name} {seconds:.0f} s" for name, seconds in training.items())
            or "not measured (--skip-training)"
        )
        + ".",
        "",
    ]
    measured = "\n".join(lines)
    print(measured)
    # Only the part between the markers is rewritten: the analysis around it stays.
    text = (
        args.out.read_text(encoding="utf-8")
        if args.out.exists()
        else f"# Benchmarks\n\n{START}\n{END}\n"
    )
    before, _, rest = text.partition(START)
    _, _, after = rest.partition(END)
    args.out.write_text(f"{before}{START}\n{measured}{END}{after}", encoding="utf-8")


if __name__ == "__main__":
    main()
