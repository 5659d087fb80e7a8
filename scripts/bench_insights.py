"""The insights report at scale: 100,000 synthetic conversations on SQLite and PostgreSQL.

For each backend it fills a conversations store (Rasa's own ``events`` table, about
a million events shaped like the running bot's: tests/support/conversations.py)
and a lead store, then runs ``python -m insights report`` and ``unanswered`` as
the firm would, and measures each command's wall time and peak memory (the
child's maximum resident set). The target is under 60 s and 500 MB. The figures
replace the measured block of BENCHMARKS.md's "The insights report at scale".

Usage: python scripts/bench_insights.py [--conversations 100000] [--days 90]
                                        [--backends sqlite,postgresql] [--print-only]
"""

import argparse
import os
import platform
import subprocess
import sys
import tempfile
import time
from contextlib import ExitStack
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Dict, List, Sequence, Tuple

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("SQLALCHEMY_SILENCE_UBER_WARNING", "1")

from tests.support.conversations import fill_stores  # noqa: E402
from tests.support.databases import POSTGRES, temporary_database  # noqa: E402
from tests.support.ports import reachable  # noqa: E402

START = "<!-- measured by scripts/bench_insights.py -->"
END = "<!-- end of insights figures -->"
TARGET_SECONDS, TARGET_MB = 60, 500


@dataclass
class Run:
    backend: str
    command: str
    seconds: float
    peak_mb: float

    def row(self) -> str:
        verdict = "yes" if self.seconds < TARGET_SECONDS and self.peak_mb < TARGET_MB else "no"
        return (
            f"| {self.backend} | `{self.command}` | {self.seconds:.1f} | {self.peak_mb:.0f} "
            f"| {verdict} |"
        )


def measure(command: Sequence[str], env: Dict[str, str]) -> Tuple[float, float]:
    """Wall seconds and peak resident MB of one child process (``wait4``'s own usage)."""
    started = time.perf_counter()
    process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL)
    _, status, usage = os.wait4(process.pid, 0)
    seconds = time.perf_counter() - started
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode:
        raise SystemExit(f"{' '.join(command)} exited with {process.returncode}")
    return seconds, usage.ru_maxrss / 1024


def bench(
    backend: str, tracker: str, leads: str, work: Path, args: argparse.Namespace
) -> Tuple[List[Run], int]:
    """Fill the stores of one backend, then time both commands; the runs and the events."""
    started = time.perf_counter()
    events = fill_stores(tracker, leads, args.conversations, args.days)
    print(
        f"{backend}: {args.conversations} conversations, {events} events written in "
        f"{time.perf_counter() - started:.0f} s",
        flush=True,
    )
    env = dict(os.environ, TRACKER_STORE_URL=tracker, LEADS_DATABASE_URL=leads)
    python = [sys.executable, "-m", "insights"]
    runs = []
    for command in (["report", "--out", str(work / f"{backend}.html")], ["unanswered"]):
        seconds, peak = measure(python + command, env)
        runs.append(Run(backend, " ".join(["insights", command[0]]), seconds, peak))
        print(runs[-1].row(), flush=True)
    return runs, events


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--conversations", type=int, default=100_000)
    parser.add_argument("--days", type=int, default=90)
    parser.add_argument("--backends", default="sqlite,postgresql")
    parser.add_argument("--print-only", action="store_true", help="leave BENCHMARKS.md as it is")
    args = parser.parse_args()
    runs: List[Run] = []
    counts: Dict[str, int] = {}
    with ExitStack() as stack:
        work = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="bench-insights-")))
        for backend in args.backends.split(","):
            if backend == "sqlite":
                tracker = f"sqlite:///{work / 'conversations.db'}"
                leads = f"sqlite:///{work / 'leads.db'}"
            elif reachable(POSTGRES):
                tracker = stack.enter_context(temporary_database("ptce_bench_insights"))
                leads = stack.enter_context(temporary_database("ptce_bench_insights_leads"))
            else:
                raise SystemExit(f"PostgreSQL is not reachable at {POSTGRES}")
            backend_runs, counts[backend] = bench(backend, tracker, leads, work, args)
            runs += backend_runs
    block = report(runs, counts, args)
    print(block)
    if not args.print_only:
        path = ROOT / "BENCHMARKS.md"
        before, _, rest = path.read_text(encoding="utf-8").partition(START)
        _, _, after = rest.partition(END)
        path.write_text(f"{before}{START}\n{block}{END}{after}", encoding="utf-8")


def report(runs: List[Run], counts: Dict[str, int], args: argparse.Namespace) -> str:
    """The measured block of BENCHMARKS.md."""
    events = ", ".join(f"{backend} {count:,}" for backend, count in counts.items())
    lines = [
        f"Measured by `scripts/bench_insights.py` on {date.today().isoformat()}: "
        f"{os.cpu_count()} cores, Python {platform.python_version()}; "
        f"{args.conversations:,} conversations over {args.days} days (events: {events}).",
        "",
        "| store | command | seconds | peak MB | under 60 s and 500 MB |",
        "|---|---|---|---|---|",
        *(run.row() for run in runs),
        "",
    ]
    return "\n".join(lines)


if __name__ == "__main__":
    main()
