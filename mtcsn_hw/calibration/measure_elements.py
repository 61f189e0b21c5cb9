"""Each element's DC transfer curve, measured the way a chip is measured: every element OTA of every kept
neuron in one DC sweep. The neurons' cells are inlined (instance names unchanged, so the chip's mismatch
stays applied), membranes and applied currents dropped; the swept node vx takes the membrane's place at every
input that reads it: the inputs of the elements that read the membrane and the inputs of the follower-
integrators, so an element that reads a filter is measured through it (at DC the filter's output is its
input plus the filter's offset, which is part of what that element sees in the neuron). Every element's
output follows vx through its own zero-volt source Vout_k_<element> (an ammeter, whose current is the
element's current): in the neuron the output is the membrane, so the OTA's output conductance shows in the
sweep as it does in the I-V curves (held at V_rest it would be invisible to the fits and the knobs).

A second sweep holds every input at the neuron's rest (node hold_k) and moves only the outputs: what an
element whose input is filtered does while the membrane moves. It separates the output's pull on the pair
(finite gain, strongest at balance) from the input's, which the first sweep cannot (fit_element).
"""
from __future__ import annotations

import numpy as np

from mtcsn_hw.calibration.chip_bench import Chip, apply_all_knobs, keep_neurons, rest_of
from mtcsn_hw.calibration.measurements import ElementSweep
from mtcsn_hw.circuit import edits, ngspice
from mtcsn_hw.circuit.bench import DC, Bench, Dc, VSource

V_LO, V_HI, V_STEP = -4.0, 4.0, 0.05


def out_node(k: int, ident: str) -> str:
    return f"out_{k}_{ident}"


def _isolate(bench: Bench, k: int, nm, inputs: str = "vx") -> Bench:
    bench = edits.inline(bench, f"neuron_{k}")
    present = {i.name for i in bench.instances()}
    for name in (f"Iapp_{k}", f"Xmem_{k}" if f"Xmem_{k}" in present else f"Cm_{k}"):
        bench = edits.drop(bench, name)
    for f in nm.filters:
        bench = edits.rewire(bench, f"Xf{f.tag}_{k}", "in", inputs)
    for e in nm.elements:
        inst = f"Xe_{k}_{e.ident}"
        bench = edits.rewire(bench, inst, "out", out_node(k, e.ident))
        if e.source == "m":
            bench = edits.rewire(bench, inst, "inp" if e.regenerative else "inn", inputs)
        bench = edits.add(bench, VSource(f"Vout_{k}_{e.ident}", out_node(k, e.ident), "vx", DC(0.0)))
    return bench


def hold_node(k: int) -> str:
    return f"hold_{k}"


def element_bench(chip: Chip, keep, knobs_by_neuron: dict | None = None, step: float = V_STEP,
                  held: bool = False) -> Bench:
    """held False: inputs and outputs follow vx; True: inputs held at each neuron's rest, outputs follow vx."""
    u, maps = chip.units, chip.maps
    bench = keep_neurons(chip.bench, set(keep), len(maps))
    for k in keep:
        bench = _isolate(bench, k, maps[k], hold_node(k) if held else "vx")
        if held:
            bench = edits.clamp(bench, hold_node(k), u.volt(rest_of(chip.neurons[k])), f"Vhold_{k}")
    bench = apply_all_knobs(bench, knobs_by_neuron or {}, chip.neurons, u, trim_node=out_node)
    bench = edits.clamp(bench, "vx", u.volt(0.0), "Vsweep")
    return edits.set_analyses(bench, Dc("Vsweep", u.volt(V_LO), u.volt(V_HI), u.volts_delta(step)), saves=())


def measure_elements(chip: Chip, keep, knobs_by_neuron: dict | None = None, step: float = V_STEP) -> dict:
    """k -> {element name: ElementSweep} in model units (current = the element's outward membrane current),
    each with its held-input sweep."""
    u, maps = chip.units, chip.maps
    runs = [ngspice.run(element_bench(chip, keep, knobs_by_neuron, step, held)) for held in (False, True)]
    v = [np.asarray(u.to_model_v(r.plot("dc")["v-sweep"]), float) for r in runs]

    def current(r, k, e):
        return -np.asarray(u.to_model_i(r.i(f"vout_{k}_{e.ident}", "dc")), float)

    out = {}
    for k in keep:
        rest = rest_of(chip.neurons[k])
        out[k] = {e.name: ElementSweep(v[0], current(runs[0], k, e),
                                       {"v_in": rest, "v": v[1], "current": current(runs[1], k, e)})
                  for e in maps[k].elements}
    return out
