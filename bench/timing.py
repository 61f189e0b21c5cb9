"""Best-of-n wall time, the one timer every benchmark here uses (a shared machine: take the minimum)."""
from __future__ import annotations

import time


def timed(fn, repeat: int = 3) -> float:
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - start)
    return best
