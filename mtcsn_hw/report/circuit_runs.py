"""Every call the report makes into mtcsn_hw.circuit, in one place (so a new circuit API is one port).

Everything returned is plain numpy/dicts: times in seconds and in model units, membrane voltages in
model units, the supply current in amperes (transistor level: the current the Vdd source delivers,
`-i(vdd)`), and the mapping of each neuron as rows a page can print.
"""
from __future__ import annotations

from pathlib import Path

import numpy as np

from mtcsn_hw.circuit import ngspice
from mtcsn_hw.circuit.build import neuron_spec, units_for
from mtcsn_hw.circuit.compare import iv_rmse, upward_crossings
from mtcsn_hw.circuit.export import checkpoint_dir_spec
from mtcsn_hw.circuit.families.sky130 import FILTER_WIDENING
from mtcsn_hw.circuit.iv import iv_curves_circuit, iv_curves_model
from mtcsn_hw.circuit.mapping import map_neuron
from mtcsn_hw.circuit.network import network_bench

# Supply branches of each transistor-level cell (cells.ota_sky130, cells.fi_sky130): a 5-T OTA draws its
# bias twice from Vdd (the diode that sets the tail, and the tail through the mirror); a widened
# follower-integrator runs its degenerated OTA at FILTER_WIDENING x I_tau, half of it in the diode.
OTA_SUPPLY_FACTOR = 2.0
FILTER_SUPPLY_FACTOR = 1.5 * FILTER_WIDENING
NGSPICE_SEED = 1   # .options seed of every netlist the report simulates (recorded in its provenance)


def units_info(level: str) -> dict:
    u = units_for(level)
    return {"level": level, "v0": u.v0, "i0": u.i0, "c_m": u.c_m, "tau0": u.tau0, "v_rest": u.v_rest,
            "vdd": float(u.tech.vdd), "kappa": float(u.tech.kappa), "temp_c": float(u.tech.temp_c),
            "corner": u.tech.corner}


def mapping_rows(params, level: str, neuron: int = 0) -> list[dict]:
    """One row per model parameter: its value, the physical quantity, the cell that implements it."""
    u = units_for(level)
    nm = map_neuron(params, u)
    ota, follower, _ = u.tech.family.cells
    cell, fcell = ota.name, follower.name
    k = neuron
    rows = [
        {"neuron": k, "parameter": "c", "model": float(params.c), "quantity": "C_m", "value": nm.cap, "unit": "F",
         "cell": f"membrane Xmem_{k}"},
        {"neuron": k, "parameter": "g", "model": float(params.g), "quantity": "R_leak", "value": nm.r_leak,
         "unit": "Ohm", "cell": f"membrane Xmem_{k}"},
        {"neuron": k, "parameter": "e_rev", "model": float(params.e_rev), "quantity": "V_leak", "value": nm.v_leak,
         "unit": "V", "cell": f"source Vleak_{k}"},
        {"neuron": k, "parameter": "i_app", "model": float(params.i_app), "quantity": "I_app", "value": nm.i_app,
         "unit": "A", "cell": f"source Iapp_{k}"},
    ]
    for e in nm.elements:
        rows.append({"neuron": k, "parameter": f"alpha[{e.name}]", "model": e.alpha, "quantity": "I_b",
                     "value": e.bias, "unit": "A", "cell": f"{cell} Xe_{k}_{e.ident}"})
        rows.append({"neuron": k, "parameter": f"delta[{e.name}]", "model": e.delta, "quantity": "V_ref",
                     "value": e.v_ref, "unit": "V", "cell": f"source Vref_{k}_{e.ident}"})
    for f in nm.filters:
        rows.append({"neuron": k, "parameter": f"tau (v{f.tag})", "model": f.tau, "quantity": "C_x",
                     "value": f.cap, "unit": "F", "cell": f"{fcell} Xf{f.tag}_{k}"})
        rows.append({"neuron": k, "parameter": f"tau (v{f.tag})", "model": f.tau, "quantity": "I_tau",
                     "value": f.bias, "unit": "A", "cell": f"{fcell} Xf{f.tag}_{k}"})
    return rows


def supply_estimate(neurons) -> dict:
    """Static supply current of the transistor-level neurons from their mapped bias currents alone."""
    u = units_for("transistor")
    ota = fil = 0.0
    for p in neurons:
        nm = map_neuron(p, u)
        ota += sum(OTA_SUPPLY_FACTOR * e.bias for e in nm.elements)
        fil += sum(FILTER_SUPPLY_FACTOR * f.bias for f in nm.filters)
    return {"ota_bias_sum_a": ota / OTA_SUPPLY_FACTOR, "ota_supply_a": ota, "filter_supply_a": fil,
            "supply_a": ota + fil, "vdd": float(u.tech.vdd), "power_w": (ota + fil) * float(u.tech.vdd),
            "ota_factor": OTA_SUPPLY_FACTOR, "filter_factor": FILTER_SUPPLY_FACTOR}


def _supply(res, level: str):
    if level != "transistor":
        return None
    return -np.asarray(res.i("vdd"), float)


def input_synapses(weights, u, sample_dt: float) -> dict:
    """Charge the input VCCS deliver (|w_k u_t| I0 for one sample each) and the synaptic events (nonzero
    input x nonzero weight)."""
    units = units_for("transistor")
    w = np.abs(np.asarray(weights, float).reshape(-1))
    x = np.abs(np.asarray(u, float).reshape(-1))
    charge = float(units.amps(x.sum() * w.sum()) * units.seconds(sample_dt))
    return {"charge_c": charge, "events": int(np.count_nonzero(x)) * int(np.count_nonzero(w))}


def neuron_transient(params, preset_name: str | None, level: str, t_end: float | None = None) -> dict:
    """One neuron under its preset's protocol (or its own constant i_app for t_end)."""
    u = units_for(level)
    res = ngspice.run(network_bench(neuron_spec(params, preset_name, t_end), u, seed=NGSPICE_SEED))
    t = np.asarray(res.plot("tran")["time"], float)
    vm = np.asarray(res.v("vm_0"), float)
    spikes = upward_crossings(t, vm, u.volt(0.0))
    return {"t_s": t, "t": u.to_model_t(t), "v": u.to_model_v(vm), "spikes": u.to_model_t(spikes),
            "i_dd": _supply(res, level), "tau0": u.tau0, "vdd": float(u.tech.vdd), "attempt": res.attempt}


def network_transient(path: Path, level: str, steps: int, v_th: float) -> dict:
    """The checkpoint's first `steps` test samples through its exported netlist."""
    spec = checkpoint_dir_spec(path, steps)
    u = units_for(level)
    res = ngspice.run(network_bench(spec, u, seed=NGSPICE_SEED))
    t = np.asarray(res.plot("tran")["time"], float)
    n = len(spec.neurons)
    vm = np.stack([np.asarray(res.v(f"vm_{k}"), float) for k in range(n)])
    spikes = [u.to_model_t(upward_crossings(t, vm[k], u.volt(v_th))) for k in range(n)]
    return {"t_s": t, "t": u.to_model_t(t), "v": u.to_model_v(vm), "spikes": spikes,
            "yout": np.asarray(res.v("yout_0"), float), "i_dd": _supply(res, level),
            "neurons": list(spec.neurons), "steps": len(spec.stimulus.series), "tau0": u.tau0,
            "vdd": float(u.tech.vdd), "attempt": res.attempt}


def iv_comparison(params, level: str, v_lo: float = -4.0, v_hi: float = 4.0, step: float = 0.05) -> dict:
    """fast/slow/ultraslow I-V curves of circuit and model (model units) and their RMSE / full scale."""
    u = units_for(level)
    circ = iv_curves_circuit(params, u, v_lo=v_lo, v_hi=v_hi, step=step)
    model = iv_curves_model(params, circ["v"], circ["v_rest"])
    out = {"v": np.asarray(circ["v"], float), "v_rest": float(circ["v_rest"]), "model": {}, "circuit": {},
           "rmse": {}}
    for k in ("fast", "slow", "ultraslow"):
        out["model"][k] = np.asarray(model[k], float)
        out["circuit"][k] = np.asarray(circ[k], float)
        out["rmse"][k] = iv_rmse(circ["v"], model[k], circ[k])
    return out


def ngspice_library() -> str:
    """The libngspice file the runner loads (for provenance when no ngspice executable is on PATH)."""
    return Path(ngspice.find_library()).name
