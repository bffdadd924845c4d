"""Shared bits of the benchmarks: timing, peak memory, a work folder. Figures only; nothing asserts."""

from __future__ import annotations

import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

WORK = Path(__file__).resolve().parent / "_work"
WORK.mkdir(exist_ok=True)


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def median_run(cmd: list[str], n: int = 7) -> float:
    times = []
    for _ in range(n):
        t0 = time.perf_counter()
        subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def best_of(*steps, runs: int = 3) -> list[float]:
    """The shortest of ``runs`` timings of each step, the steps taken in turns (a, b, a, b, ...)."""
    best = [float("inf")] * len(steps)
    for _ in range(runs):
        for n, step in enumerate(steps):
            t0 = time.perf_counter()
            step()
            best[n] = min(best[n], time.perf_counter() - t0)
    return best


def size_and_profile(default: int) -> tuple[int, str | None]:
    """`script.py [N] [--profile STEP]`: the size to run at, and a step to profile (or None)."""
    args = sys.argv[1:]
    profile = None
    if "--profile" in args:
        i = args.index("--profile")
        profile = args[i + 1]
        del args[i:i + 2]
    return (int(args[0]) if args else default), profile
