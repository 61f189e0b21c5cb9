"""Spike-train agreement measures: coincidence factor, van Rossum and Victor-Purpura distances."""
from __future__ import annotations

import numpy as np

from mtcsn_hw.model.spikes import as_numpy


def coincidence_factor(reference, other, window: float, duration: float) -> float:
    """Kistler et al. (1997) Gamma: 1 for identical trains, ~0 for chance agreement.

    Gamma = (N_coinc - E[N_coinc]) / (0.5 (N_ref + N_other) (1 - 2 nu window)), with E[N_coinc] =
    2 nu window N_ref and nu the rate of `other` (a Poisson train of that rate scores 0 on average).
    Each spike of `other` can be matched at most once, within +-window.
    """
    ref, oth = np.sort(as_numpy(reference)), np.sort(as_numpy(other))
    n_ref, n_oth = ref.size, oth.size
    if n_ref == 0 and n_oth == 0:
        return 1.0
    if n_ref == 0 or n_oth == 0:
        return 0.0
    used = np.zeros(n_oth, dtype=bool)
    coinc = 0
    for t in ref:
        lo, hi = np.searchsorted(oth, t - window), np.searchsorted(oth, t + window, side="right")
        free = [k for k in range(lo, hi) if not used[k]]
        if free:
            used[min(free, key=lambda k: abs(oth[k] - t))] = True
            coinc += 1
    nu = n_oth / duration
    expected = 2 * nu * window * n_ref
    norm = 1 - 2 * nu * window
    return float((coinc - expected) / (0.5 * (n_ref + n_oth) * norm))


def van_rossum_distance(a, b, tau: float) -> float:
    """Distance between the trains filtered by exp(-t/tau), normalised so one lone spike gives sqrt(1/2)."""
    a, b = as_numpy(a), as_numpy(b)

    def k(x, y):
        if x.size == 0 or y.size == 0:
            return 0.0
        return float(np.exp(-np.abs(x[:, None] - y[None, :]) / tau).sum())

    return float(np.sqrt(max(0.5 * (k(a, a) + k(b, b) - 2 * k(a, b)), 0.0)))


def victor_purpura_distance(a, b, cost: float) -> float:
    """Minimal cost to turn train a into b: 1 per insertion/deletion, cost*|dt| per shift."""
    a, b = as_numpy(a), as_numpy(b)
    d = np.zeros((a.size + 1, b.size + 1))
    d[:, 0] = np.arange(a.size + 1)
    d[0, :] = np.arange(b.size + 1)
    for i in range(1, a.size + 1):
        for j in range(1, b.size + 1):
            d[i, j] = min(d[i - 1, j] + 1, d[i, j - 1] + 1, d[i - 1, j - 1] + cost * abs(a[i - 1] - b[j - 1]))
    return float(d[-1, -1])
