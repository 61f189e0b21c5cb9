"""The same discrete map as `neuron.step`, in plain Python floats, for when no gradient is needed.

Torch spends ~50 us of dispatch per step on a handful of tiny tensors; one neuron in plain floats
takes ~0.6 us. Reference simulations (regimes, convergence checks, model-vs-circuit comparisons)
use this; tests hold it equal to the torch path to 1e-12.
"""
from __future__ import annotations

import math


def run_one(v: float, vx: list[float], drive: list[float], alpha: list[float], delta: list[float],
            a: list[float], instant: list[bool], g: float, e_rev: float, phi: float):
    """Step one neuron through `drive`; returns the membrane trace and the filtered-voltage traces."""
    tanh = math.tanh
    filtered = [j for j, inst in enumerate(instant) if not inst]
    inst = [j for j, i in enumerate(instant) if i]
    a_f = [a[j] for j in filtered]
    b_f = [1.0 - a[j] for j in filtered]
    al_f = [alpha[j] for j in filtered]
    de_f = [delta[j] for j in filtered]
    al_i = [alpha[j] for j in inst]
    de_i = [delta[j] for j in inst]
    x = [vx[j] for j in filtered]
    m = len(filtered)
    vs = [v]
    xs = [list(x)]
    for i_total in drive:
        ion = 0.0
        for k in range(len(al_i)):
            ion += al_i[k] * tanh(v - de_i[k])
        for k in range(m):
            ion += al_f[k] * tanh(x[k] - de_f[k])
        v_next = v + phi * (i_total - g * (v - e_rev) - ion)
        for k in range(m):
            x[k] = a_f[k] * x[k] + b_f[k] * v
        v = v_next
        vs.append(v)
        xs.append(list(x))
    return vs, xs, filtered
