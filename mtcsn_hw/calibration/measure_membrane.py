"""Each membrane's capacitance from its step response, the way the filters' taus are measured: the element OTAs
biased off (their devices, and so their parasitic capacitances, stay on the node), the applied current
stepped by a small amount, and an exponential fitted to the membrane voltage. With the leak the only
conductance left on the node, tau_m = c / g_leak gives the capacitance the node really has: the membrane
capacitor, its mismatch, and what the OTA outputs and the follower and element inputs add (model units, where
the mapped capacitor is c).
"""
from __future__ import annotations

import numpy as np

from mtcsn_hw.calibration.chip_bench import Chip, family_params, keep_neurons, without_ics
from mtcsn_hw.calibration.measure_filters import fit_tau
from mtcsn_hw.circuit import edits, ngspice
from mtcsn_hw.circuit.bench import PWL, Bench, Tran
from mtcsn_hw.errors import SimulationError

STEP = 0.2          # model voltage units at the leak: small signal
T_STEP = 2.0        # model time of the step
WINDOW = 10.0       # observed for WINDOW membrane time constants after the step
OFF_BIAS = 1e-6     # element OTA bias while measured, in model current units (1 fA at I0 = 1 nA)


def _span(params) -> float:
    """The membrane's time scale: tau_m = c / g, or (no leak) the time the step takes to move it by STEP."""
    g = float(params.g)
    return float(params.c) / g if g > 0 else float(params.c)


def _step_current(params) -> float:
    g = float(params.g)
    return STEP * (g if g > 0 else 1.0)


def membrane_bench(chip: Chip, keep) -> Bench:
    u, fam = chip.units, chip.units.tech.family
    bench = without_ics(keep_neurons(chip.bench, set(keep), len(chip.neurons)))
    for k in keep:
        params = chip.neurons[k]
        for e in chip.maps[k].elements:
            inst = f"Xe_{k}_{e.ident}"
            bench = edits.set_params(bench, inst, family_params(fam.ota(inst, "o", "p", "m", u.amps(OFF_BIAS), u)))
        t0, amps = u.seconds(T_STEP), u.amps(_step_current(params))
        bench = edits.replace_source(bench, f"Iapp_{k}", PWL(((0.0, 0.0), (t0, 0.0), (t0 + u.seconds(1e-3), amps))))
    step = u.seconds(min(_span(chip.neurons[k]) for k in keep) / 100.0)
    stop = u.seconds(T_STEP + WINDOW * max(_span(chip.neurons[k]) for k in keep))
    return edits.set_analyses(bench, Tran(step, stop, 0.0, step), saves=tuple(f"v(vm_{k})" for k in keep))


def _ramp_capacitance(t, v, current: float, span: float) -> float:
    """No leak: c dV/dt = I, the slope fitted over the step's first span."""
    sel = (t >= T_STEP + 0.1 * span) & (t <= T_STEP + span)
    if sel.sum() < 3:
        raise SimulationError("the membrane step response has too few points to fit")
    slope = float(np.polyfit(t[sel], v[sel], 1)[0])
    if not slope > 0:
        raise SimulationError("a membrane did not charge under its current step")
    return current / slope


def measure_membranes(chip: Chip, keep) -> dict:
    """k -> the membrane's capacitance in model units (tau_m times the mapped leak conductance; without a
    leak, the step current over the voltage's slope)."""
    keep = list(keep)
    if not keep:
        return {}
    u = chip.units
    res = ngspice.run(membrane_bench(chip, keep))
    t = np.asarray(u.to_model_t(res.plot("tran")["time"]), float)
    out = {}
    for k in keep:
        params = chip.neurons[k]
        v = np.asarray(u.to_model_v(res.v(f"vm_{k}")), float)
        g = float(params.g)
        out[k] = (fit_tau(t, v, T_STEP, _span(params)) * g if g > 0 else
                  _ramp_capacitance(t, v, _step_current(params), _span(params)))
    return out
