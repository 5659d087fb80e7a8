"""The benchmark's simulated visitors and what they measure.

Each visitor slot sends a script in a loop without pause, over the REST channel,
as new visitors one after another; the latency of every turn is kept, so rounds
can be pooled into one set of percentiles.
"""

import asyncio
import statistics
import subprocess
import time
import uuid
from dataclasses import dataclass, field
from itertools import cycle, islice
from typing import List, Optional

import aiohttp

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
    # A name that does not say its type (« Commune de… » would), so that the type is asked.
    "Syndicat mixte du Bocage",
    "Collectivité",
    "Calvados",
    "Relancer un PTCE",
    "Nous voulons relancer notre PTCE.",
    "/cancel",
]
STARTER = ["hello", "I am sad", "yes", "great", "bye", "are you a bot?", "hi", "not very good"]
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
class Result:
    """What one set-up measured: latencies in seconds, turns under load, errors, memory."""

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
