"""I-V curves of an MTCSN neuron, one per timescale (DESIGN §1).

The curve of timescale x is the total membrane current (passive plus every element with tau <= tau_x)
as a function of V, with every slower filtered voltage held at the resting potential:
    I_x(V) = g (V - e_rev) + sum_{tau_j <= tau_x} alpha_j tanh(V - delta_j)
             + sum_{tau_j > tau_x} alpha_j tanh(V_rest - delta_j)
Timescales are the distinct element time constants: the smallest is "fast", the second "slow", and
"ultraslow" is the steady state (all elements). V_rest is the lowest steady state for the neuron's i_app.
"""
from __future__ import annotations

import numpy as np
import torch

from mtcsn_hw.model.neuron import resting_state, stack_params
from mtcsn_hw.model.params import NeuronParams

TIMESCALES = ("fast", "slow", "ultraslow")


def timescale_taus(params: NeuronParams) -> dict:
    """The tau cut-off of each named timescale."""
    taus = sorted({float(e.tau) for e in params.elements}) or [0.0]
    return {"fast": taus[0], "slow": taus[min(1, len(taus) - 1)], "ultraslow": taus[-1]}


def iv_curves(params: NeuronParams, v, v_rest: float | None = None) -> dict:
    """Fast, slow and ultra-slow I-V curves at voltages v (model units). Differentiable in params."""
    p = stack_params(params, torch.float64)
    v = torch.as_tensor(np.asarray(v, dtype=float) if not torch.is_tensor(v) else v, dtype=torch.float64)
    if v_rest is None:
        with torch.no_grad():
            v_rest = float(resting_state(p, p.i_app)[0])
    cut = timescale_taus(params)
    alpha, delta, tau = p.alpha[0], p.delta[0], p.tau[0]
    passive = p.g[0] * (v - p.e_rev[0])
    out = {"v": v, "v_rest": v_rest}
    for name in TIMESCALES:
        fast = (tau <= cut[name]).to(torch.float64)
        at_v = alpha * torch.tanh(v.unsqueeze(-1) - delta)
        at_rest = alpha * torch.tanh(torch.as_tensor(v_rest, dtype=torch.float64) - delta)
        out[name] = passive + (fast * at_v + (1 - fast) * at_rest).sum(-1)
    return out


def negative_slope_regions(v, i) -> list[tuple[float, float]]:
    """Voltage intervals where dI/dV < 0 (from samples)."""
    v = np.asarray(v, dtype=float)
    i = np.asarray(i.detach() if torch.is_tensor(i) else i, dtype=float)
    slope = np.diff(i) / np.diff(v)
    neg = slope < 0
    regions, start = [], None
    for k, is_neg in enumerate(neg):
        if is_neg and start is None:
            start = k
        if not is_neg and start is not None:
            regions.append((float(v[start]), float(v[k])))
            start = None
    if start is not None:
        regions.append((float(v[start]), float(v[-1])))
    return regions


def shape(v, i) -> str:
    """'monotone' (no negative slope), 'N-shaped' (one negative-slope region inside the range) or 'other'."""
    regions = negative_slope_regions(v, i)
    v = np.asarray(v, dtype=float)
    if not regions:
        return "monotone"
    if len(regions) == 1 and regions[0][0] > v[0] and regions[0][1] < v[-1]:
        return "N-shaped"
    return "other"
