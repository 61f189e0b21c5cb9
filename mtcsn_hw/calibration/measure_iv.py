"""The fast / slow / ultra-slow I-V curves of every kept neuron, as circuit.iv defines them (simulate --iv),
measured on the chip's bench: no applied current, filters with tau <= the timescale follow V, slower filters
held at the neuron's rest by their inputs (their outputs sit at rest plus the filter's own offset, as in the
neuron; clamping the output itself would hide that offset from the curve and from calibration). Every
membrane is tied to one swept node vx through its own zero-volt
source Vm_k (an ammeter), so all neurons are swept in one DC run per timescale.

iv_rmse is the worst of the fast and slow curves' RMSE against the model's, as a fraction of full scale.
"""
from __future__ import annotations

import numpy as np

from mtcsn_hw.calibration.chip_bench import Chip, apply_all_knobs, keep_neurons, rest_of
from mtcsn_hw.calibration.iv_error import SPEC_CURVES
from mtcsn_hw.circuit import edits, ngspice
from mtcsn_hw.circuit.bench import DC, Bench, Dc, VSource
from mtcsn_hw.circuit.compare import iv_rmse
from mtcsn_hw.circuit.iv import iv_curves_model
from mtcsn_hw.model.iv import timescale_taus

V_LO, V_HI, V_STEP = -4.0, 4.0, 0.05


def iv_bench(chip: Chip, keep, timescale: str, knobs_by_neuron: dict | None = None, step: float = V_STEP) -> Bench:
    u, maps = chip.units, chip.maps
    bench = keep_neurons(chip.bench, set(keep), len(maps))
    for k in keep:
        p = chip.neurons[k]
        cut = timescale_taus(p)[timescale]
        bench = edits.replace_source(edits.inline(bench, f"neuron_{k}"), f"Iapp_{k}", DC(0.0))
        for f in maps[k].filters:
            if f.tau > cut:
                bench = edits.rewire(bench, f"Xf{f.tag}_{k}", "in", f"hold_{f.tag}_{k}")
                bench = edits.clamp(bench, f"hold_{f.tag}_{k}", u.volt(rest_of(p)), f"Vhold_{f.tag}_{k}")
        bench = edits.add(bench, VSource(f"Vm_{k}", f"vm_{k}", "vx", DC(0.0)))
    bench = apply_all_knobs(bench, knobs_by_neuron or {}, chip.neurons, u)
    bench = edits.clamp(bench, "vx", u.volt(0.0), "Vsweep")
    return edits.set_analyses(bench, Dc("Vsweep", u.volt(V_LO), u.volt(V_HI), u.volts_delta(step)), saves=())


def measure_iv(chip: Chip, keep, knobs_by_neuron: dict | None = None) -> dict:
    """k -> {"v": grid, "v_rest": rest, "fast"|"slow"|"ultraslow": {"circuit": i, "model": i, "rmse": r},
    "iv_rmse": worst of fast and slow}; currents in model units (outward, no applied current)."""
    u = chip.units
    keep = list(keep)
    out = {k: {"v_rest": rest_of(chip.neurons[k])} for k in keep}
    for name in ("fast", "slow", "ultraslow"):
        res = ngspice.run(iv_bench(chip, keep, name, knobs_by_neuron))
        v = np.asarray(u.to_model_v(res.plot("dc")["v-sweep"]), float)
        for k in keep:
            circ = -np.asarray(u.to_model_i(res.i(f"vm_{k}", "dc")), float)
            model = iv_curves_model(chip.neurons[k], v, out[k]["v_rest"])[name]
            out[k]["v"] = v
            out[k][name] = {"circuit": circ, "model": np.asarray(model, float), "rmse": iv_rmse(v, model, circ)}
    for k in keep:
        out[k]["iv_rmse"] = max(out[k][c]["rmse"] for c in SPEC_CURVES)
    return out
