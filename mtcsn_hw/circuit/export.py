"""A trained forecaster's checkpoint as netlist data, and netlists written to disk.

Checkpoints are read only through mtcsn_hw.checkpoint.reader. Everything that shapes the model's output
goes into the circuit: hidden neurons driven by w_in u + bias with u the normalised test segment
(teacher-forced: the recorded series drives the circuit), one sample per substeps * dt model time units;
the readout sums the graded outputs (layer v_th, v_sat), low-passes them with the model's per-sample
output filter y <- a y + (1 - a) raw as an RC of tau = -(sample period) / ln a, and for a residual model
(y = filt(raw) + x) adds the input voltage u. yout_0 is then the model's one-step (or H-step) forecast in
normalised units. A checkpoint the circuit cannot represent is refused with one line.
"""
from __future__ import annotations

import math
from pathlib import Path

import numpy as np

from mtcsn_hw.atomic import write_text
from mtcsn_hw.checkpoint.reader import CheckpointData, read_checkpoint
from mtcsn_hw.circuit.build import network_spec
from mtcsn_hw.circuit.mapping import Units
from mtcsn_hw.circuit.netlist import write_netlist
from mtcsn_hw.circuit.netlist_file import NETLIST_SUFFIXES
from mtcsn_hw.circuit.spec import NetworkSpec
from mtcsn_hw.errors import CheckpointError, ParameterError

PROTOCOLS = ("direct", "autoregressive")


def _refuse_unrepresentable(ck: CheckpointData) -> None:
    if ck.model != "mtcsn":
        raise CheckpointError(f"{ck.path}: only MTCSN checkpoints map to circuits (LIF/AdLIF have no conductance form)")
    if ck.protocol not in PROTOCOLS:
        raise CheckpointError(f"{ck.path}: protocol {ck.protocol!r} has no circuit form ({' or '.join(PROTOCOLS)})")
    if np.asarray(ck.params["readout"]["weight"], float).reshape(-1).size != len(ck.params["neurons"]):
        raise CheckpointError(f"{ck.path}: the circuit has one readout output; this checkpoint has more")
    if ck.params.get("input_lags"):
        raise CheckpointError(f"{ck.path}: it reads its input through a delay line (input_lags); netlists have none")
    if np.asarray(ck.params["input_weights"], float).reshape(len(ck.params["neurons"]), -1).shape[1] != 1:
        raise CheckpointError(f"{ck.path}: the circuit drives one input series; this checkpoint takes more")
    if ck.layer.get("recurrent"):
        raise CheckpointError(f"{ck.path}: its hidden layer is recurrent; lateral synapses have no circuit form yet")
    if not 0.0 <= ck.out_decay < 1.0:
        raise CheckpointError(f"{ck.path}: output decay {ck.out_decay} is not in [0, 1)")


def checkpoint_spec(ck: CheckpointData, n_test: int | None = None) -> NetworkSpec:
    """A checkpoint as netlist data, its test segment (first n_test samples, default all) driving it."""
    _refuse_unrepresentable(ck)
    neurons = ck.neurons()
    series, layer = ck.series, ck.layer
    n = series.n_test if n_test is None else max(2, min(series.n_test, int(n_test)))
    u = ck.normaliser(series.x[series.n_train:series.n_train + n])
    a = ck.out_decay
    tau = -ck.sample_dt / math.log(a) if 0.0 < a < 1.0 else 0.0
    readout = ck.params["readout"]
    return network_spec(neurons, np.asarray(ck.params["input_weights"], float).reshape(len(neurons), -1),
                        ck.params["input_bias"], u.reshape(-1, 1), ck.sample_dt,
                        np.asarray(readout["weight"], float).reshape(1, -1), [readout["bias"]],
                        float(layer["v_th"]), float(layer["v_sat"]), title=f"checkpoint {ck.path.name}",
                        readout_tau=tau, residual=ck.residual)


def checkpoint_dir_spec(path, n_test: int | None = None, t_end: float | None = None) -> NetworkSpec:
    """A checkpoint folder as netlist data; t_end (model units) or n_test shortens the test segment."""
    ck = read_checkpoint(path)
    if t_end is not None:
        n_test = int(round(float(t_end) / ck.sample_dt))
    return checkpoint_spec(ck, n_test)


def readout_times(units: Units, sample_dt: float, n: int):
    """When to read yout_0 for samples 0..n-1: at the end of each input sample, just before the input
    steps to the next one (the PWL ramps over the last 1e-3 of a sample; a residual readout carries u)."""
    return units.seconds((np.arange(n) + 1 - 2e-3) * sample_dt)


def export(spec: NetworkSpec, units: Units, out: str | Path) -> str:
    """Write the netlist atomically; returns its text."""
    out = Path(out)
    if out.suffix.lower() not in NETLIST_SUFFIXES:
        raise ParameterError(f"netlist file should end in .cir (got {out.name!r})")
    text = write_netlist(spec, units, out_path=out)
    write_text(out, text)
    return text
