"""How far a follower-integrator's linear range limits spike-train agreement: the bursting preset in the
model, its two filters written as slewing followers, tau dV_x/dt = w tanh((V - V_x)/w) (w in V0: a plain
5-T follower is w = 1, the sky130 cell widened k times is w ~ k), against the linear model (w = inf).
Prints, per w, the autonomous rhythm (10 000 tau0, steady bursts) and the coincidence factor Gamma of the
driven train (the calibration's OU drive, 49 900 tau0, its first period left out, window 5 % of the linear
model's median ISI) against the linear model's; then how well a linear model whose slow tau is scaled
follows the slew law at --against w (a longer effective tau standing in for the slew). scipy solve_ivp
(DOP853), the drive linear between its samples as the circuit's PWL.

    PYTHONPATH=. python bench/follower_range.py [--widths 3 4 6 8 12 16] [--slow-tau-scales 1.02 1.04]
"""
from __future__ import annotations

import argparse
import math
from dataclasses import replace

import numpy as np
import torch
from scipy.integrate import solve_ivp

from mtcsn_hw.calibration.measure_spikes import MIN_PERIODS, driven_stimulus
from mtcsn_hw.calibration.measurements import stimulus_current
from mtcsn_hw.calibration.record import gamma, rhythm
from mtcsn_hw.model.neuron import DEFAULT_KICK, resting_state, stack_params
from mtcsn_hw.model.params import NeuronParams

PARAMS = NeuronParams.preset("bursting")
T_AUTO, T_DRIVEN = 10000.0, 49900.0   # the calibration's protocol for the preset (20 model periods)


def simulate(t_end: float, w: float, drive=None, drive_dt: float = 2.0, p: NeuronParams = PARAMS) -> np.ndarray:
    """Spike times (upward crossings of V = 0) of the neuron with followers of range w (inf: linear)."""
    fast = [e for e in p.elements if float(e.tau) == 0.0]
    taus = sorted({float(e.tau) for e in p.elements if float(e.tau) > 0})
    slot = [None if float(e.tau) == 0 else taus.index(float(e.tau)) for e in p.elements]
    assert len(fast) + sum(s is not None for s in slot) == len(p.elements)
    alpha = np.array([float(e.alpha) for e in p.elements])
    delta = np.array([float(e.delta) for e in p.elements])
    times = (np.arange(len(drive)) + 0.5) * drive_dt if drive is not None else None
    drive = None if drive is None else np.asarray(drive, float).tolist()

    alpha, delta = alpha.tolist(), delta.tolist()
    n_el, n_x = len(slot), len(taus)
    tanh, c, g, e_rev, i_app0 = math.tanh, float(p.c), float(p.g), float(p.e_rev), float(p.i_app)
    first, step, last = (times[0], drive_dt, len(times) - 1) if drive is not None else (0.0, 1.0, 0)

    def current(t: float) -> float:  # the drive, linear between samples, flat beyond them (np.interp's ends)
        if drive is None:
            return 0.0
        u = (t - first) / step
        if u <= 0.0:
            return drive[0]
        k = int(u)
        return drive[last] if k >= last else drive[k] + (u - k) * (drive[k + 1] - drive[k])

    def rhs(t, y):  # plain floats: a handful of terms, called ~10^6 times
        v = y[0]
        ion = 0.0
        for j in range(n_el):
            x = v if slot[j] is None else y[1 + slot[j]]
            ion += alpha[j] * tanh(x - delta[j])
        out = [(i_app0 + current(t) - g * (v - e_rev) - ion) / c]
        for k in range(n_x):
            gap = v - y[1 + k]
            out.append((gap if math.isinf(w) else w * tanh(gap / w)) / taus[k])
        return out

    rest = float(resting_state(stack_params([p]), torch.tensor([float(p.i_app)], dtype=torch.float64))[0])
    crossing = lambda t, y: y[0]  # noqa: E731
    crossing.direction = 1
    sol = solve_ivp(rhs, (0.0, t_end), [rest + DEFAULT_KICK] + [rest] * len(taus), method="DOP853", rtol=1e-7,
                    atol=1e-9, max_step=1.0, events=crossing)
    return sol.t_events[0]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--widths", type=float, nargs="+", default=[3.0, 4.0, 6.0, 8.0, 12.0, 16.0])
    ap.add_argument("--slow-tau-scales", type=float, nargs="*", default=[1.02, 1.03, 1.04, 1.06])
    ap.add_argument("--against", type=float, default=8.0, help="the follower range the scaled models follow")
    args = ap.parse_args()
    stim = driven_stimulus(T_DRIVEN, 1)
    drive = stimulus_current(stim, 0.0)
    assert T_DRIVEN >= MIN_PERIODS * 2494
    reference = simulate(T_DRIVEN, np.inf, drive)
    print("| follower range w (V0) | spikes a burst | intra-burst ISI | period | driven Gamma vs linear |")
    print("|---:|---:|---:|---:|---:|")
    washout = T_DRIVEN / MIN_PERIODS
    for w in [np.inf, *args.widths]:
        r = rhythm(simulate(T_AUTO, w), T_AUTO)
        g, _ = gamma(reference, simulate(T_DRIVEN, w, drive), T_DRIVEN, washout)
        label = "linear" if np.isinf(w) else f"{w:g}"
        print(f"| {label} | {r['spikes_per_burst']:.2f} | {r['intra_burst_isi']:.2f} | {r['period']:.0f} | {g:.3f} |",
              flush=True)
    slew = simulate(T_DRIVEN, args.against, drive)
    print(f"\n| linear model, slow tau x | driven Gamma vs the slew law at w = {args.against:g} |\n|---:|---:|")
    for k in [1.0, *args.slow_tau_scales]:
        slow = min(float(e.tau) for e in PARAMS.elements if float(e.tau) > 0)
        scaled = replace(PARAMS, elements=[replace(e, tau=float(e.tau) * (k if float(e.tau) == slow else 1.0))
                                           for e in PARAMS.elements])
        g, _ = gamma(slew, simulate(T_DRIVEN, np.inf, drive, p=scaled), T_DRIVEN, washout)
        print(f"| {k:g} | {g:.3f} |", flush=True)


if __name__ == "__main__":
    main()
