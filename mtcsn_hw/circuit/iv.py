"""I-V measurement benches, as edits of the neuron's own bench (never text surgery).

  iv_bench          the membrane swept by Vsweep (DC); filters with tau <= the timescale follow V, slower
                    filtered nodes clamped at v_hold (their follower-integrators dropped); no applied current
  element_iv_bench  the neuron's cell inlined, membrane, applied current and filters dropped; every element
                    OTA's input rewired to the swept node vx and its output held at V_rest by Vout_<element>,
                    whose current is the element's current into the membrane
"""
from __future__ import annotations

import numpy as np

from mtcsn_hw.circuit import edits, ngspice
from mtcsn_hw.circuit.bench import Bench, Dc
from mtcsn_hw.circuit.build import initial_state
from mtcsn_hw.circuit.mapping import Units, map_neuron
from mtcsn_hw.circuit.network import network_bench
from mtcsn_hw.circuit.spec import NetworkSpec
from mtcsn_hw.model.iv import iv_curves, timescale_taus
from mtcsn_hw.model.params import NeuronParams


def neuron_bench(params: NeuronParams, units: Units) -> Bench:
    """One neuron at its own constant i_app (no initial conditions): the bench measurements edit."""
    return network_bench(NetworkSpec([params], 1.0), units)


def _sweep(bench: Bench, node: str, units: Units, v_lo: float, v_hi: float, step: float) -> Bench:
    bench = edits.clamp(bench, node, units.volt(0.0), "Vsweep")
    return edits.set_analyses(bench, Dc("Vsweep", units.volt(v_lo), units.volt(v_hi), units.volts_delta(step)))


def iv_bench(params: NeuronParams, units: Units, timescale_tau: float, v_hold: float,
             v_lo: float = -4.0, v_hi: float = 4.0, step: float = 0.02) -> Bench:
    bench = neuron_bench(params.replace(i_app=0.0), units)
    for f in map_neuron(params, units).filters:
        if f.tau > timescale_tau:
            bench = edits.drop(bench, f"Xf{f.tag}_0")
            bench = edits.clamp(bench, f"v{f.tag}_0", units.volt(v_hold), f"Vclamp_{f.tag}")
    return _sweep(bench, "vm_0", units, v_lo, v_hi, step)


def iv_curves_circuit(params: NeuronParams, units: Units, v_hold: float | None = None,
                      v_lo: float = -4.0, v_hi: float = 4.0, step: float = 0.02) -> dict:
    """fast/slow/ultraslow I-V curves of the circuit, in model units (v grid, currents / I0)."""
    if v_hold is None:
        _, v_hold = initial_state(params, float(params.i_app), kick=0.0)
    out = {"v_rest": float(v_hold)}
    for name, tau in timescale_taus(params).items():  # the model's definition of the timescales
        res = ngspice.run(iv_bench(params, units, tau, v_hold, v_lo, v_hi, step))
        out["v"] = units.to_model_v(res.plot("dc")["v-sweep"])
        out[name] = units.to_model_i(-res.i("vsweep", "dc"))
    return out


def iv_curves_model(params: NeuronParams, v, v_hold: float) -> dict:
    """The model's curves (mtcsn_hw.model.iv) on the circuit's voltage grid, as numpy."""
    out = iv_curves(params, v, v_rest=v_hold)
    return {k: (x.detach().numpy() if hasattr(x, "detach") else x) for k, x in out.items()}


def element_iv_bench(params: NeuronParams, units: Units, v_lo: float = -4.0, v_hi: float = 4.0,
                     step: float = 0.05) -> Bench:
    nm = map_neuron(params, units)
    bench = edits.inline(neuron_bench(params, units), "neuron_0")
    present = {i.name for i in bench.instances()}
    for gone in ["Iapp_0", "Xmem_0" if "Xmem_0" in present else "Cm_0", *(f"Xf{f.tag}_0" for f in nm.filters)]:
        bench = edits.drop(bench, gone)
    for e in nm.elements:
        inst = f"Xe_0_{e.ident}"
        bench = edits.rewire(bench, inst, "out", f"out_{e.ident}")
        bench = edits.rewire(bench, inst, "inp" if e.regenerative else "inn", "vx")
        bench = edits.clamp(bench, f"out_{e.ident}", units.v_rest, f"Vout_{e.ident}")
    return _sweep(bench, "vx", units, v_lo, v_hi, step)


def element_iv_curves(params: NeuronParams, units: Units, v_lo: float = -4.0, v_hi: float = 4.0,
                      step: float = 0.05) -> dict:
    """Per element: V_x grid and the outward membrane current alpha tanh(V_x - delta), circuit and model,
    in model units. The output node is held at V_rest (the element's current is what flows into it)."""
    res = ngspice.run(element_iv_bench(params, units, v_lo, v_hi, step))
    v = units.to_model_v(res.plot("dc")["v-sweep"])
    out = {"v": v, "elements": {}}
    for e in map_neuron(params, units).elements:
        # current into the membrane = into Vout's + terminal; the model's term is its negative
        i_circ = -units.to_model_i(res.i(f"vout_{e.ident}", "dc"))
        out["elements"][e.name] = {"circuit": i_circ, "model": e.alpha * np.tanh(v - e.delta)}
    return out
