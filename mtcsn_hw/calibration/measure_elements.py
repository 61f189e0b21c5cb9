"""Each element's DC transfer curve, measured the way a chip is measured: every element OTA of every kept
neuron in one DC sweep. The neurons' cells are inlined (instance names unchanged, so the chip's mismatch
stays applied), membranes and applied currents dropped; the swept node vx takes the membrane's place at every
input that reads it: the inputs of the elements that read the membrane and the inputs of the follower-
integrators, so an element that reads a filter is measured through it (at DC the filter's output is its
input plus the filter's offset, which is part of what that element sees in the neuron). Every element's
output is held at V_rest by Vout_k_<element>, whose current is the element's current.
"""
from __future__ import annotations

import numpy as np

from mtcsn_hw.calibration.chip_bench import Chip, apply_all_knobs, keep_neurons
from mtcsn_hw.calibration.measurements import ElementSweep
from mtcsn_hw.circuit import edits, ngspice
from mtcsn_hw.circuit.bench import Bench, Dc

V_LO, V_HI, V_STEP = -4.0, 4.0, 0.05


def out_node(k: int, ident: str) -> str:
    return f"out_{k}_{ident}"


def _isolate(bench: Bench, k: int, nm, units) -> Bench:
    bench = edits.inline(bench, f"neuron_{k}")
    present = {i.name for i in bench.instances()}
    for name in (f"Iapp_{k}", f"Xmem_{k}" if f"Xmem_{k}" in present else f"Cm_{k}"):
        bench = edits.drop(bench, name)
    for f in nm.filters:
        bench = edits.rewire(bench, f"Xf{f.tag}_{k}", "in", "vx")
    for e in nm.elements:
        inst = f"Xe_{k}_{e.ident}"
        bench = edits.rewire(bench, inst, "out", out_node(k, e.ident))
        if e.source == "m":
            bench = edits.rewire(bench, inst, "inp" if e.regenerative else "inn", "vx")
        bench = edits.clamp(bench, out_node(k, e.ident), units.v_rest, f"Vout_{k}_{e.ident}")
    return bench


def element_bench(chip: Chip, keep, knobs_by_neuron: dict | None = None, step: float = V_STEP) -> Bench:
    u, maps = chip.units, chip.maps
    bench = keep_neurons(chip.bench, set(keep), len(maps))
    for k in keep:
        bench = _isolate(bench, k, maps[k], u)
    bench = apply_all_knobs(bench, knobs_by_neuron or {}, chip.neurons, u, trim_node=out_node)
    bench = edits.clamp(bench, "vx", u.volt(0.0), "Vsweep")
    return edits.set_analyses(bench, Dc("Vsweep", u.volt(V_LO), u.volt(V_HI), u.volts_delta(step)), saves=())


def measure_elements(chip: Chip, keep, knobs_by_neuron: dict | None = None, step: float = V_STEP) -> dict:
    """k -> {element name: ElementSweep} in model units (current = the element's outward membrane current)."""
    u, maps = chip.units, chip.maps
    res = ngspice.run(element_bench(chip, keep, knobs_by_neuron, step))
    v = np.asarray(u.to_model_v(res.plot("dc")["v-sweep"]), float)
    out = {}
    for k in keep:
        out[k] = {e.name: ElementSweep(v, -np.asarray(u.to_model_i(res.i(f"vout_{k}_{e.ident}", "dc")), float))
                  for e in maps[k].elements}
    return out
