"""How long a transient will take, estimated before it starts, so a run that would not finish in
reasonable time is refused with the estimate instead of running until killed.

Rates: simulated neuron-seconds per wall-second, the lower ends measured by bench/bench_circuit.py
(BENCHMARKS.md, 1-100 bursting neurons): behavioural 4.2-6.2, transistor 0.22-0.40.
"""
from __future__ import annotations

from mtcsn_hw.errors import ParameterError

NEURON_SECONDS_PER_WALL_SECOND = {"behavioral": 4.2, "transistor": 0.22}
MAX_WALL_SECONDS = 3600.0


def estimate_wall_seconds(level: str, neurons: int, t_stop_s: float) -> float:
    return max(int(neurons), 1) * float(t_stop_s) / NEURON_SECONDS_PER_WALL_SECOND[level]


def _human(seconds: float) -> str:
    for unit, size in (("years", 3.15e7), ("days", 86400.0), ("h", 3600.0), ("min", 60.0)):
        if seconds >= size:
            return f"{seconds / size:.3g} {unit}"
    return f"{seconds:.3g} s"


def check_runtime(level: str, neurons: int, t_stop_s: float, limit: float = MAX_WALL_SECONDS) -> float:
    """The estimated wall time; ParameterError (one line, with the estimate) beyond `limit`."""
    est = estimate_wall_seconds(level, neurons, t_stop_s)
    if est > limit:
        raise ParameterError(
            f"simulating {t_stop_s:.3g} s of {neurons} neuron(s) at {level} level would take about {_human(est)} "
            f"({NEURON_SECONDS_PER_WALL_SECOND[level]:g} neuron-s per wall-s measured; limit {_human(limit)}); "
            f"shorten --t-end")
    return est
