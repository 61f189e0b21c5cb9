"""Each filter's tau from its step response: every kept neuron's membrane held by an ideal source at its
rest, stepped up by a small amount (linear regime), all follower-integrators of all kept neurons answering
in one transient. tau comes from an exponential fitted to each filtered node after the step.
"""
from __future__ import annotations

import numpy as np
from scipy.optimize import curve_fit

from mtcsn_hw.calibration.chip_bench import Chip, apply_all_knobs, keep_neurons, rest_of, without_ics
from mtcsn_hw.circuit import edits, ngspice
from mtcsn_hw.circuit.bench import PWL, Bench, Tran
from mtcsn_hw.errors import SimulationError

STEP = 0.2            # model voltage units: small signal
T_STEP = 10.0         # model time of the step
WINDOW = 3.0          # observed for WINDOW x the longest nominal tau (an exponential is fitted, not read off)


def _horizon(chip: Chip, keep) -> float:
    return max((f.tau for k in keep for f in chip.maps[k].filters), default=0.0)


def filter_bench(chip: Chip, keep, knobs_by_neuron: dict | None = None) -> Bench:
    u, maps = chip.units, chip.maps
    bench = without_ics(keep_neurons(chip.bench, set(keep), len(maps)))
    for k in keep:  # the element OTAs only load the clamp: not needed for the filters' answer
        for e in maps[k].elements:
            bench = edits.drop(bench, f"Xe_{k}_{e.ident}")
    bench = apply_all_knobs(bench, knobs_by_neuron or {}, chip.neurons, u, elements=False)
    t0 = u.seconds(T_STEP)
    for k in keep:
        lo = u.volt(rest_of(chip.neurons[k]))
        hi = lo + u.volts_delta(STEP)
        bench = edits.clamp(bench, f"vm_{k}", 0.0, f"Vstep_{k}")
        bench = edits.replace_source(bench, f"Vstep_{k}", PWL(((0.0, lo), (t0, lo), (t0 + u.seconds(0.01), hi))))
    tau_min = min(f.tau for k in keep for f in maps[k].filters)
    stop = u.seconds(T_STEP + WINDOW * _horizon(chip, keep))
    step = u.seconds(tau_min / 10.0)
    saves = tuple(f"v(v{f.tag}_{k})" for k in keep for f in maps[k].filters)
    return edits.set_analyses(bench, Tran(step, stop, 0.0, step), saves=saves)


def fit_tau(t, v, t0: float, tau_guess: float) -> float:
    """tau of v(t) = v_end - A exp(-(t - t0)/tau) after t0 (model units)."""
    sel = t >= t0
    tt, vv = t[sel] - t0, v[sel]
    amp = vv[-1] - vv[0]
    if abs(amp) < 1e-6:
        raise SimulationError("a filter did not answer its step (no change after the step)")

    def law(x, v_end, a, tau):
        return v_end - a * np.exp(-x / tau)

    popt, _ = curve_fit(law, tt, vv, p0=(vv[-1], amp, tau_guess), maxfev=5000)
    return float(abs(popt[2]))


def measure_filters(chip: Chip, keep, knobs_by_neuron: dict | None = None) -> dict:
    """k -> {filter tag: tau in model units}."""
    keep = [k for k in keep if chip.maps[k].filters]
    if not keep:
        return {}
    u = chip.units
    res = ngspice.run(filter_bench(chip, keep, knobs_by_neuron))
    t = np.asarray(u.to_model_t(res.plot("tran")["time"]), float)
    out = {}
    for k in keep:
        out[k] = {f.tag: fit_tau(t, np.asarray(u.to_model_v(res.v(f"v{f.tag}_{k}")), float), T_STEP, f.tau)
                  for f in chip.maps[k].filters}
    for k in [k for k in keep if k not in out]:
        out[k] = {}
    return out
