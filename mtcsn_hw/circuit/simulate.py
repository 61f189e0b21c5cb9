"""Run netlists through ngspice and read the results back in both physical and model units."""
from __future__ import annotations

import math
import re
from dataclasses import dataclass

import numpy as np
import torch

from mtcsn_hw.circuit import ngspice
from mtcsn_hw.circuit.compare import upward_crossings
from mtcsn_hw.circuit.mapping import Units, map_neuron
from mtcsn_hw.circuit.netlist import NetworkSpec, Stimulus, write_netlist, neuron_block
from mtcsn_hw.circuit import cells
from mtcsn_hw.errors import ParameterError
from mtcsn_hw.model.iv import iv_curves, timescale_taus
from mtcsn_hw.model.neuron import DEFAULT_KICK, resting_state, stack_params
from mtcsn_hw.model.params import NeuronParams
from mtcsn_hw.model.presets import PROTOCOLS, preset


def initial_state(params: NeuronParams, i_first: float, kick: float = DEFAULT_KICK):
    """The model's start: membrane at rest (lowest steady state) plus kick, filters at rest."""
    p = stack_params(params)
    rest = float(resting_state(p, torch.tensor([float(i_first)], dtype=torch.float64))[0])
    return rest + kick, rest


def preset_spec(name: str, dt: float = 1.0) -> NetworkSpec:
    """One neuron of a preset under its protocol (step at t_on), as netlist data."""
    params = preset(name)
    return single_neuron_spec(params, PROTOCOLS[name], dt, title=f"preset {name}")


def single_neuron_spec(params: NeuronParams, protocol, dt: float = 1.0, title: str = "neuron") -> NetworkSpec:
    steps = int(round(protocol.t_end / dt))
    series = protocol.current(np.arange(steps) * dt).astype(float) if protocol.t_on > 0 else None
    if series is None:
        params = params.replace(i_app=float(protocol.i_before))
    v_init, rest = initial_state(params, protocol.i_before)
    tags = map_neuron(params, Units(_dummy_tech())).filters
    return NetworkSpec([params], protocol.t_end, Stimulus(series, dt), v_init=[v_init],
                       filter_init=[{f.tag: rest for f in tags}], title=title)


def _dummy_tech():
    from mtcsn_hw.circuit.technology import technology
    return technology("behavioral")


@dataclass
class Transient:
    t: np.ndarray                # s
    vm: np.ndarray               # (T, N) volts
    filtered: dict               # node name -> volts
    spikes: list                 # per neuron, seconds
    units: Units
    attempt: str

    def model_units(self) -> dict:
        u = self.units
        return {"t": u.to_model_t(self.t), "v": u.to_model_v(self.vm),
                "spikes": [u.to_model_t(s) for s in self.spikes]}


def run_transient(text: str, units: Units, n_neurons: int, threshold: float = 0.0) -> Transient:
    """Simulate a netlist written by write_netlist; spikes are upward crossings of V_rest + threshold V0."""
    res = ngspice.run(text)
    t = res.plot("tran")["time"]
    vm = np.stack([res.v(f"vm_{k}") for k in range(n_neurons)], axis=1)
    filt = {n: v for n, v in res.plot("tran").items() if re.match(r"^v(s|us|x\d+)_\d+$", n)}
    thr = units.volt(threshold)
    spikes = [upward_crossings(t, vm[:, k], thr) for k in range(n_neurons)]
    return Transient(t, vm, filt, spikes, units, res.attempt)


def transient_summary(tr: Transient) -> dict:
    m = tr.model_units()
    u = tr.units
    return {
        "units": {"v0": u.v0, "i0": u.i0, "c_m": u.c_m, "tau0": u.tau0, "v_rest": u.v_rest},
        "t_end_s": float(tr.t[-1]), "t_end_model": float(m["t"][-1]), "points": int(len(tr.t)),
        "attempt": tr.attempt,
        "neurons": [{"node": f"vm_{k}", "spike_times_s": [float(x) for x in tr.spikes[k]],
                     "spike_times_model": [float(x) for x in m["spikes"][k]],
                     "n_spikes": int(len(tr.spikes[k])),
                     "v_min": float(tr.vm[:, k].min()), "v_max": float(tr.vm[:, k].max())}
                    for k in range(tr.vm.shape[1])],
    }


def iv_netlist(params: NeuronParams, units: Units, timescale_tau: float, v_hold: float,
               v_lo: float = -4.0, v_hi: float = 4.0, step: float = 0.02) -> str:
    """DC sweep of the membrane: filters with tau <= timescale_tau follow V (DC steady state); slower
    filtered nodes are clamped at v_hold (model units) by voltage sources. No applied current."""
    tech = units.tech
    level = tech.level
    nm = map_neuron(params.replace(i_app=0.0), units)
    lines = [f"* I-V sweep, timescale tau <= {timescale_tau:g}", tech.header(), cells.library_text(level)]
    if level == "transistor":
        lines.append(f"Vdd vdd 0 {tech.vdd:.9g}")
    block = neuron_block(0, nm, level, "DC 0")
    for f in nm.filters:
        if f.tau > timescale_tau:
            block = [l for l in block if not l.startswith(f"Xf{f.tag}_0 ")]
            block.append(f"Vclamp_{f.tag} v{f.tag}_0 0 {units.volt(v_hold):.9g}")
    lines += block
    lines.append(f"Vsweep vm_0 0 {units.volt(0):.9g}")
    lines.append(f".dc Vsweep {units.volt(v_lo):.9g} {units.volt(v_hi):.9g} {step * units.v0:.9g}")
    lines.append(".end")
    return "\n".join(lines)


def iv_curves_circuit(params: NeuronParams, units: Units, v_hold: float | None = None,
                      v_lo: float = -4.0, v_hi: float = 4.0, step: float = 0.02) -> dict:
    """fast/slow/ultraslow I-V curves of the circuit, in model units (v grid, currents / I0)."""
    if v_hold is None:
        _, v_hold = initial_state(params, float(params.i_app), kick=0.0)
    out = {"v_rest": float(v_hold)}
    for name, tau in timescale_taus(params).items():  # the model's definition of the timescales
        res = ngspice.run(iv_netlist(params, units, tau, v_hold, v_lo, v_hi, step))
        v = units.to_model_v(res.plot("dc")["v-sweep"])
        out["v"] = v
        out[name] = units.to_model_i(-res.i("vsweep", "dc"))
    return out


def iv_curves_model(params: NeuronParams, v, v_hold: float) -> dict:
    """The model's curves (mtcsn_hw.model.iv) on the circuit's voltage grid, as numpy."""
    out = iv_curves(params, v, v_rest=v_hold)
    return {k: (x.detach().numpy() if hasattr(x, "detach") else x) for k, x in out.items()}


def element_iv_netlist(params: NeuronParams, units: Units, v_lo: float = -4.0, v_hi: float = 4.0,
                       step: float = 0.05) -> str:
    """One DC sweep for every element: its input V_x swept (node vx), its output held at V_rest by a
    voltage source Vout_<element>, whose current is the element's current into the membrane."""
    tech = units.tech
    nm = map_neuron(params, units)
    lines = ["* per-element I-V sweep", tech.header(), cells.library_text(tech.level)]
    if tech.level == "transistor":
        lines.append(f"Vdd vdd 0 {tech.vdd:.9g}")
    lines.append(f"Vsweep vx 0 {units.volt(0):.9g}")
    for e in nm.elements:
        ref = f"ref_{e.ident}"
        lines.append(f"Vref_{e.ident} {ref} 0 {e.v_ref:.9g}")
        lines.append(f"Vout_{e.ident} out_{e.ident} 0 {units.v_rest:.9g}")
        plus, minus = ("vx", ref) if e.regenerative else (ref, "vx")
        if tech.level == "behavioral":
            lines.append(f"Xe_{e.ident} out_{e.ident} {plus} {minus} ota_beh ib={e.bias:.9g} v0={units.v0:.9g}")
        else:
            lines.append(f"Xe_{e.ident} out_{e.ident} {plus} {minus} vdd ota_sky130 ib={e.bias:.9g}")
    lines.append(f".dc Vsweep {units.volt(v_lo):.9g} {units.volt(v_hi):.9g} {step * units.v0:.9g}")
    lines.append(".end")
    return "\n".join(lines)


def element_iv_curves(params: NeuronParams, units: Units, v_lo: float = -4.0, v_hi: float = 4.0,
                      step: float = 0.05) -> dict:
    """Per element: V_x grid and the outward membrane current alpha tanh(V_x - delta), circuit and model,
    in model units. The output node is held at V_rest (the element's current is what flows into it)."""
    res = ngspice.run(element_iv_netlist(params, units, v_lo, v_hi, step))
    v = units.to_model_v(res.plot("dc")["v-sweep"])
    out = {"v": v, "elements": {}}
    for e in map_neuron(params, units).elements:
        # current into the membrane = into Vout's + terminal; the model's term is its negative
        i_circ = -units.to_model_i(res.i(f"vout_{e.ident}", "dc"))
        out["elements"][e.name] = {"circuit": i_circ, "model": e.alpha * np.tanh(v - e.delta)}
    return out
