"""From what a user names (a preset, neuron parameters, a network as arrays) to NetworkSpec data."""
from __future__ import annotations

import numpy as np
import torch

from mtcsn_hw.circuit.mapping import Units, filter_tags
from mtcsn_hw.circuit.spec import NetworkSpec, Readout, Stimulus
from mtcsn_hw.circuit.technology import for_level
from mtcsn_hw.model.neuron import DEFAULT_KICK, resting_state, stack_params
from mtcsn_hw.model.params import NeuronParams
from mtcsn_hw.model.presets import PROTOCOLS, Protocol, preset


def units_for(level: str, corner: str = "tt", temp_c: float = 27.0, i0: float = 1e-9, c_m: float = 1e-12,
              v_rest: float = 0.9) -> Units:
    return Units(for_level(level, corner, temp_c), i0=i0, c_m=c_m, v_rest=v_rest)


def initial_state(params: NeuronParams, i_first: float, kick: float = DEFAULT_KICK):
    """The model's start: membrane at rest (lowest steady state) plus kick, filters at rest."""
    p = stack_params(params)
    rest = float(resting_state(p, torch.tensor([float(i_first)], dtype=torch.float64))[0])
    return rest + kick, rest


def single_neuron_spec(params: NeuronParams, protocol, dt: float = 1.0, title: str = "neuron") -> NetworkSpec:
    steps = int(round(protocol.t_end / dt))
    series = protocol.current(np.arange(steps) * dt).astype(float) if protocol.t_on > 0 else None
    if series is None:
        params = params.replace(i_app=float(protocol.i_before))
    v_init, rest = initial_state(params, protocol.i_before)
    tags = filter_tags([e.tau for e in params.elements]).values()
    return NetworkSpec([params], protocol.t_end, Stimulus(series, dt), v_init=[v_init],
                       filter_init=[{tag: rest for tag in tags}], title=title)


def preset_spec(name: str, dt: float = 1.0) -> NetworkSpec:
    """One neuron of a preset under its protocol (step at t_on), as netlist data."""
    return single_neuron_spec(preset(name), PROTOCOLS[name], dt, title=f"preset {name}")


def neuron_spec(params: NeuronParams, preset_name: str | None = None, t_end: float | None = None) -> NetworkSpec:
    """One neuron: under its preset's protocol, else at its own constant i_app for t_end."""
    if preset_name is not None:
        pr = PROTOCOLS[preset_name]
        if t_end is not None:
            pr = Protocol(pr.i_before, pr.i_after, pr.t_on, float(t_end))
    else:
        end = 1000.0 if t_end is None else float(t_end)
        pr = Protocol(float(params.i_app), float(params.i_app), 0.0, end)
    return single_neuron_spec(params, pr, title=preset_name or "neuron")


def network_spec(neurons: list, input_weights, input_bias, inputs, dt: float, readout_weights=None,
                 readout_bias=None, v_th: float = 0.5, v_sat: float = 2.0, title: str = "network",
                 readout_tau: float = 0.0, residual: bool = False) -> NetworkSpec:
    """A trained network as plain data: hidden neurons driven by W_in u(t) + b, a behavioural readout
    (plus u_0 when residual).

    inputs: (T, n_in) series in model units sampled every dt model time units. Every neuron starts where
    the trained layer starts a sequence: membrane and filters at its resting state for its bias alone.
    """
    u = np.asarray(inputs, dtype=float)
    u = u.reshape(len(u), -1)
    w = np.asarray(input_weights, dtype=float)
    b = np.zeros(len(neurons)) if input_bias is None else np.asarray(input_bias, dtype=float).reshape(-1)
    v_init, f_init = [], []
    for p, i_bias in zip(neurons, b, strict=True):
        v, rest = initial_state(p, float(i_bias), kick=0.0)
        v_init.append(v)
        f_init.append({tag: rest for tag in filter_tags([e.tau for e in p.elements]).values()})
    readout = None if readout_weights is None else Readout(
        np.asarray(readout_weights, float), None if readout_bias is None else np.asarray(readout_bias, float),
        v_th, v_sat, readout_tau, residual)
    return NetworkSpec(list(neurons), len(u) * float(dt), Stimulus(u, float(dt)), w, b, readout,
                       v_init=v_init, filter_init=f_init, title=title)
