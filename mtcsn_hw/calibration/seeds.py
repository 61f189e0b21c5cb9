"""Checking what a user asks for: how many chips, which seeds, how many workers."""
from __future__ import annotations

import numbers
import os

from mtcsn_hw.errors import ParameterError


def chip_seeds(chips=None, seeds=None, first_seed: int = 0) -> list[int]:
    """The seeds of a sweep: `seeds` as given, or first_seed, first_seed + 1, ... for `chips` chips."""
    if (chips is None) == (seeds is None):
        raise ParameterError("give either a chip count or a list of seeds")
    if seeds is None:
        count = _integer("chip count", chips)
        if count <= 0:
            raise ParameterError(f"chip count must be a positive integer, got {chips!r}")
        start = _integer("first seed", first_seed)
        seeds = range(start, start + count)
    if isinstance(seeds, (str, bytes)) or not hasattr(seeds, "__iter__"):
        raise ParameterError(f"seeds must be a list of integers, got {seeds!r}")
    out = [_integer("seed", s) for s in seeds]
    if not out:
        raise ParameterError("no seeds given")
    if min(out) < 0:
        raise ParameterError(f"seeds must be >= 0, got {min(out)}")
    if len(set(out)) != len(out):
        raise ParameterError("seeds must not repeat")
    return out


def worker_count(workers) -> int:
    if workers is None:
        return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
    count = _integer("worker count", workers)
    if count <= 0:
        raise ParameterError(f"worker count must be a positive integer, got {workers!r}")
    return count


def _integer(what: str, value) -> int:
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise ParameterError(f"{what} must be an integer, got {value!r}")
    return int(value)
