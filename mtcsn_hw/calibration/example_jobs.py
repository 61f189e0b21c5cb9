"""Two real Monte Carlo jobs, cheap enough for tests and benchmarks, and models for writing new ones:
a neuron preset whose element gains and offsets are perturbed per chip, simulated by the model
(perturbed_model_neuron) or as a behavioural circuit in ngspice (perturbed_circuit_neuron).

context: {"preset": "tonic", "sigma_alpha": 0.1 (relative), "sigma_delta": 0.1 (model volts), "t_end": 300}
"""
from __future__ import annotations

import numpy as np

from mtcsn_hw.calibration.chip_result import ChipResult
from mtcsn_hw.model.params import NeuronParams
from mtcsn_hw.model.presets import preset

DEFAULTS = {"preset": "tonic", "sigma_alpha": 0.1, "sigma_delta": 0.1, "t_end": 300.0, "dt": 0.1}


def perturbed_params(seed: int, context: dict) -> NeuronParams:
    """The preset with each element's alpha scaled by 1 + sigma_alpha N(0,1) and delta shifted by sigma_delta N(0,1)."""
    cfg = {**DEFAULTS, **context}
    rng = np.random.default_rng(seed)
    params = preset(cfg["preset"])
    for element in params.elements:
        gain, shift = rng.standard_normal(2)
        params = params.with_element(element.name, alpha=float(element.alpha * (1 + cfg["sigma_alpha"] * gain)),
                                     delta=float(element.delta + cfg["sigma_delta"] * shift))
    return params


def spike_summary(spikes, t_end: float) -> dict:
    """Spike count, rate, first spike and mean ISI (None where undefined), in model time units."""
    spikes = np.asarray(spikes, dtype=float)
    return {"spikes": int(spikes.size), "rate": spikes.size / t_end,
            "first_spike": float(spikes[0]) if spikes.size else None,
            "mean_isi": float(np.diff(spikes).mean()) if spikes.size > 1 else None}


def perturbed_model_neuron(seed: int, context: dict) -> ChipResult:
    from mtcsn_hw.model.neuron import simulate_neuron

    cfg = {**DEFAULTS, **context}
    params = perturbed_params(seed, context)
    trace = simulate_neuron(params, t_end=cfg["t_end"], dt=cfg["dt"])
    spikes = trace.spikes.detach().numpy()
    return ChipResult(summary=spike_summary(spikes, cfg["t_end"]),
                      files={"params.json": params.to_dict(), "spikes.json": {"t": spikes}})


def behavioural_spike_times(params: NeuronParams, preset_name: str, t_end: float) -> np.ndarray:
    """Spike times (model units) of one neuron as a behavioural circuit in ngspice, under its preset's protocol."""
    from mtcsn_hw.circuit import ngspice
    from mtcsn_hw.circuit.compare import upward_crossings
    from mtcsn_hw.circuit.export import neuron_spec, units_for
    from mtcsn_hw.circuit.netlist import write_netlist

    units = units_for("behavioral")
    result = ngspice.run(write_netlist(neuron_spec(params, preset_name, t_end=t_end), units))
    crossings = upward_crossings(result.plot("tran")["time"], result.v("vm_0"), units.volt(0.0))
    return units.to_model_t(crossings)


def perturbed_circuit_neuron(seed: int, context: dict) -> ChipResult:
    cfg = {**DEFAULTS, **context}
    params = perturbed_params(seed, context)
    spikes = behavioural_spike_times(params, cfg["preset"], cfg["t_end"])
    return ChipResult(summary=spike_summary(spikes, cfg["t_end"]),
                      files={"params.json": params.to_dict(), "spikes.json": {"t": spikes}})
