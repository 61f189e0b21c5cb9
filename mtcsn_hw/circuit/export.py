"""From what a user names (a preset, a PARAMS.json, a network as plain data) to a netlist on disk."""
from __future__ import annotations

from pathlib import Path

import numpy as np

from mtcsn_hw.atomic import write_text
from mtcsn_hw.circuit.mapping import Units
from mtcsn_hw.circuit.netlist import NetworkSpec, Readout, Stimulus, write_netlist
from mtcsn_hw.circuit.simulate import initial_state, single_neuron_spec
from mtcsn_hw.circuit.technology import for_level
from mtcsn_hw.errors import CheckpointError, ParameterError
from mtcsn_hw.model.params import NeuronParams
from mtcsn_hw.model.presets import PROTOCOLS, Protocol


def units_for(level: str, corner: str = "tt", temp_c: float = 27.0, i0: float = 1e-9, c_m: float = 1e-12,
              v_rest: float = 0.9) -> Units:
    return Units(for_level(level, corner, temp_c), i0=i0, c_m=c_m, v_rest=v_rest)


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
                 readout_tau: float = 0.0) -> NetworkSpec:
    """A trained network as plain data: hidden neurons driven by W_in u(t) + b, a behavioural readout.

    inputs: (T, n_in) series in model units sampled every dt model time units. Every neuron starts at
    its resting state for its first input current (plus the model's kick), filters at rest.
    """
    u = np.asarray(inputs, dtype=float)
    u = u.reshape(len(u), -1)
    w = np.asarray(input_weights, dtype=float)
    b = np.zeros(len(neurons)) if input_bias is None else np.asarray(input_bias, dtype=float).reshape(-1)
    first = u[0] @ w.T + b
    v_init, f_init = [], []
    for p, i0 in zip(neurons, first):
        v, rest = initial_state(p, float(i0))
        v_init.append(v)
        f_init.append({tag: rest for tag in ("s", "us", *(f"x{k}" for k in range(3, 10)))})
    readout = None if readout_weights is None else Readout(np.asarray(readout_weights, float),
                                                            None if readout_bias is None else np.asarray(readout_bias, float),
                                                            v_th, v_sat, readout_tau)
    return NetworkSpec(list(neurons), len(u) * float(dt), Stimulus(u, float(dt)), w, b, readout,
                       v_init=v_init, filter_init=f_init, title=title)


def export(spec: NetworkSpec, units: Units, out: str | Path) -> str:
    """Write the netlist atomically; returns its text."""
    out = Path(out)
    if out.suffix.lower() not in (".cir", ".sp", ".spice", ".net"):
        raise ParameterError(f"netlist file should end in .cir (got {out.name!r})")
    text = write_netlist(spec, units, out_path=out)
    write_text(out, text)
    return text


def checkpoint_spec(params: dict, series_x, n_train: int, n_test: int, title: str = "checkpoint") -> NetworkSpec:
    """A trained forecaster's plain parameters (its params.json) and series -> netlist data.

    Hidden neurons driven by w_in u + bias with u the normalised test segment, one sample per
    substeps * dt model time units (the layer holds each sample for its substeps); the readout sums the
    graded outputs (v_th, v_sat of the layer) and low-passes them with the model's per-sample output
    filter y <- a y + (1 - a) raw as an RC of tau = -(sample period) / ln a.
    """
    import math
    if not isinstance(params, dict) or params.get("model") != "mtcsn" or "neurons" not in params:
        raise ParameterError("only MTCSN checkpoints map to circuits (LIF/AdLIF have no conductance form)")
    layer = params["layer"]
    neurons = [NeuronParams.from_dict(d) for d in params["neurons"]]
    norm = params["normaliser"]
    x = np.asarray(series_x, dtype=float)[int(n_train):int(n_train) + int(n_test)]
    u = (x - float(norm["mean"])) / float(norm["std"])
    sample_dt = float(layer["dt"]) * int(layer.get("substeps", 1))
    a = float(params.get("out_decay") or 0.0)
    tau = -sample_dt / math.log(a) if 0.0 < a < 1.0 else 0.0
    return network_spec(neurons, np.asarray(params["input_weights"], float).reshape(len(neurons), -1),
                        params["input_bias"], u.reshape(-1, 1), sample_dt,
                        np.asarray(params["readout"]["weight"], float).reshape(1, -1), [params["readout"]["bias"]],
                        float(layer["v_th"]), float(layer["v_sat"]), title=title, readout_tau=tau)


def checkpoint_dir_spec(path, n_test: int | None = None) -> NetworkSpec:
    """A checkpoint folder as netlist data: params.json and data.npz read directly (no training import,
    no torch model, nothing unpickled). n_test: how many test samples to drive (default: all)."""
    import json

    path = Path(path)
    try:
        params = json.loads((path / "params.json").read_text())
        with np.load(path / "data.npz", allow_pickle=False) as d:
            x, n_train, n_all = d["x"], int(d["n_train"]), int(d["n_test"])
    except (OSError, ValueError, KeyError) as exc:
        raise CheckpointError(f"cannot read checkpoint {path}: {exc}") from None
    n = n_all if n_test is None else max(2, min(n_all, int(n_test)))
    return checkpoint_spec(params, x, n_train, n, title=f"checkpoint {path.name}")
