"""The rhythm of a bursting spike train's limit cycle: spikes per burst, intra-burst ISI and burst period,
from the steady bursts (the first burst is the start-up, or cut by the window's start; a last burst the
window cut short is left out). Bursts split where the regime classifier splits them."""
from __future__ import annotations

import numpy as np

from mtcsn_hw.model.regimes import BURST_RATIO

RHYTHM_KEYS = ("spikes_per_burst", "intra_burst_isi", "period")   # what rhythm() returns


def bursts(spike_times, t_end: float, t_on: float = 0.0) -> list:
    """The spike train in [t_on, t_end] split into bursts where an ISI exceeds BURST_RATIO x the median ISI
    (the regime classifier's rule); [] when it does not fall into two or more groups."""
    t = np.asarray(spike_times, float)
    t = t[(t >= t_on) & (t <= t_end)]
    isi = np.diff(t)
    if isi.size < 2:
        return []
    long = isi > BURST_RATIO * np.median(isi)
    if not long.any() or long.all():
        return []
    return np.split(t, np.flatnonzero(long) + 1)


def rhythm(spike_times, t_end: float, t_on: float = 0.0) -> dict:
    """The limit cycle's rhythm: mean spikes per burst, median intra-burst ISI and median burst period, from
    the bursts after the first (the start-up transient: how long it lasts depends on where the filters start)
    and without a last burst the run cut short. None where there is no such burst (or no two burst starts)."""
    groups = bursts(spike_times, t_end, t_on)
    steady = groups[1:]
    if steady:
        inside = np.concatenate([np.diff(b) for b in steady])
        if inside.size and t_end - steady[-1][-1] <= BURST_RATIO * float(np.median(inside)):
            steady = steady[:-1]
    if not steady:
        return dict.fromkeys(RHYTHM_KEYS)
    inside = np.concatenate([np.diff(b) for b in steady])
    starts = np.array([b[0] for b in groups[1:]])
    return {"spikes_per_burst": float(np.mean([b.size for b in steady])),
            "intra_burst_isi": float(np.median(inside)) if inside.size else None,
            "period": float(np.median(np.diff(starts))) if starts.size >= 2 else None}
