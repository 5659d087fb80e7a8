"""`make mutation`: mutmut 3 over the logic that decides for a visitor or the firm, then the score.

The modules and the tests are set in pyproject.toml (``[tool.mutmut]``): each mutant
runs against the unit tests that reach the mutated function, never the end-to-end
ones. The run starts from scratch: mutmut keeps a survivor's verdict while its
function is unchanged, so a test added since would not be given its chance.
``--again`` re-tests only the survivors (and the functions changed since), for the
loop of writing tests: it learns which functions a new test reaches, but keeps what
it recorded for the tests that existed, so a test given a new reach, or a function
only old tests call, is judged on stale coverage. The figure to quote comes from a
run from scratch. It runs at the lowest priority with one worker, as the machines
are shared.

The last line printed is ``mutation score: K/N killed (P %)``: a mutant that made a
test fail, or time out, is killed (as in mutmut's own badge); N counts every mutant,
those no unit test reaches included. Below ``--minimum`` the command fails. The
survivors are listed before it; those judged equivalent are explained in
tests/mutation-equivalents.md.
"""

import argparse
import json
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import Dict, List, Optional, TextIO, Tuple

ROOT = Path(__file__).resolve().parent.parent
MUTANTS = ROOT / "mutants"
LOG = ROOT / "results" / "mutation.log"
EQUIVALENTS = ROOT / "tests" / "mutation-equivalents.md"
MUTMUT = Path(sys.executable).parent / "mutmut"
# mutmut's exit codes: a test failed (1), pytest broke on the mutant (3), CPU time ran out.
KILLED = {1, 3, 24, -24, 36, 152, 255}
SURVIVED = 0
NOT_REACHED = {5, 33}
SKIPPED = 34


def mutmut(names: List[str], log: TextIO) -> None:
    """``mutmut run`` (on ``names`` only, if given), one worker at the lowest priority."""
    command = ["nice", "-n", "19", str(MUTMUT), "run", "--max-children", "1", *names]
    completed = subprocess.run(command, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT)
    if completed.returncode != 0:
        sys.exit(f"mutmut failed (exit {completed.returncode}): see {LOG}")


def run(again: bool) -> None:
    """Run mutmut from scratch, or (``again``) re-test only what the last run left alive."""
    if not again:
        shutil.rmtree(MUTANTS, ignore_errors=True)
    LOG.parent.mkdir(exist_ok=True)
    print(f"mutmut run, one worker, at the lowest priority; its output goes to {LOG}", flush=True)
    start = time.monotonic()
    with LOG.open("a" if again else "w", encoding="utf-8") as log:
        # New or changed functions are mutated and run; earlier verdicts stand.
        mutmut([], log)
        if again:
            alive = [name for name, code in verdicts().items() if code not in KILLED]
            if alive:
                mutmut(alive, log)
    print(f"mutmut ran in {(time.monotonic() - start) / 60:.0f} min", flush=True)


def verdicts() -> Dict[str, Optional[int]]:
    """Every mutant's exit code, from the ``.meta`` files mutmut writes beside each module."""
    found: Dict[str, Optional[int]] = {}
    for meta in sorted(MUTANTS.rglob("*.py.meta")):
        found.update(json.loads(meta.read_text(encoding="utf-8"))["exit_code_by_key"])
    return found


def equivalent_names() -> List[str]:
    """The mutants tests/mutation-equivalents.md explains, by name (in backquotes)."""
    if not EQUIVALENTS.is_file():
        return []
    return re.findall(r"`([\w.ǁ]+__mutmut_\d+)`", EQUIVALENTS.read_text(encoding="utf-8"))


def score(codes: Dict[str, Optional[int]]) -> Tuple[int, int]:
    """(killed, counted): skipped mutants are not counted, unreached ones are."""
    counted = [code for code in codes.values() if code != SKIPPED]
    return sum(code in KILLED for code in counted), len(counted)


def report(codes: Dict[str, Optional[int]]) -> None:
    """The mutants no test killed, the explained ones apart."""
    explained = set(equivalent_names())
    survivors = sorted(name for name, code in codes.items() if code == SURVIVED)
    unreached = sorted(name for name, code in codes.items() if code in NOT_REACHED)
    unchecked = sorted(name for name, code in codes.items() if code is None)
    unexplained = [name for name in survivors if name not in explained]
    print(f"{len(survivors)} survived: {len(survivors) - len(unexplained)} explained as equivalent")
    print(f"in {EQUIVALENTS.relative_to(ROOT)}, {len(unexplained)} not (`mutmut show NAME`):")
    for name in unexplained:
        print(f"  {name}")
    for label, names in (("reached by no unit test", unreached), ("not checked", unchecked)):
        if names:
            print(f"{len(names)} {label}:")
            for name in names:
                print(f"  {name}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--minimum", type=float, default=85.0, help="the least score accepted, in %%"
    )
    parser.add_argument(
        "--reuse", action="store_true", help="score the last run in mutants/ without running"
    )
    parser.add_argument(
        "--again",
        action="store_true",
        help="re-test only the mutants the last run left alive (faster, while writing tests)",
    )
    arguments = parser.parse_args()
    if not arguments.reuse:
        run(arguments.again)
    codes = verdicts()
    if not codes:
        sys.exit("no mutant found in mutants/: run `make mutation` first")
    report(codes)
    killed, counted = score(codes)
    percent = 100 * killed / counted
    print(f"mutation score: {killed}/{counted} killed ({percent:.1f} %)")
    return 0 if percent >= arguments.minimum else 1


if __name__ == "__main__":
    sys.exit(main())
