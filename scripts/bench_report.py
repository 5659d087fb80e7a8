"""The benchmark's report: one table row a set-up, written into BENCHMARKS.md.

Only the part between the two markers is rewritten, so the analysis written
around the figures stays.
"""

import argparse
import os
import platform
import statistics
import time
from pathlib import Path
from typing import Dict, List

from scripts.bench_visitors import CONVERSATION_TURNS, Result, pooled

START, END = "<!-- measured by scripts/bench.py -->", "<!-- end of measured figures -->"


def row(result: Result) -> str:
    """The set-up's row of the table: throughput, latency percentiles, start, memory, errors."""

    def q(values: List[float], p: int) -> float:
        """The p-th percentile in milliseconds."""
        return statistics.quantiles(values, n=100)[p - 1] * 1000 if len(values) > 1 else 0.0

    return (
        f"| {result.name} | {result.replicas} | {result.turns_per_second:.1f} | "
        f"{q(result.loaded, 50):.0f} | {q(result.loaded, 95):.0f} | {q(result.loaded, 99):.0f} | "
        f"{q(result.single, 50):.1f} | {q(result.single, 95):.1f} | {result.cold_start:.1f} | "
        f"{result.peak_mb:.0f} | {result.errors} |"
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
    results = [pooled(rounds) for rounds in runs.values()]
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
        *[row(result) for result in results],
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
