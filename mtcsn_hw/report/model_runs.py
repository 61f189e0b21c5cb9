"""The model side of every comparison: a neuron under its protocol, a forecaster on its test segment."""
from __future__ import annotations

from pathlib import Path

import numpy as np
import torch

from mtcsn_hw.model.neuron import simulate_neuron
from mtcsn_hw.model.presets import PROTOCOLS, Protocol
from mtcsn_hw.tasks import metrics as M

MODEL_DT = 0.01   # the discrete neuron converges at first order: 0.01 keeps spike times within ~1 tau0
PARAMS_T_END = 10000.0


def neuron_protocol(params, preset_name: str | None) -> Protocol:
    if preset_name is not None:
        return PROTOCOLS[preset_name]
    i = float(params.i_app)
    return Protocol(i, i, 0.0, PARAMS_T_END)


def neuron_run(params, protocol: Protocol, dt: float = MODEL_DT) -> dict:
    t = np.arange(int(round(protocol.t_end / dt))) * dt
    tr = simulate_neuron(params, i_app=protocol.current(t), dt=dt)
    return {"t": tr.t.numpy(), "v": tr.v.numpy().reshape(-1), "spikes": tr.spikes.numpy()}


def forecaster_run(path: Path, steps: int) -> dict:
    """The checkpoint's model on its first `steps` test samples, started at rest like its netlist."""
    from mtcsn_hw.training.checkpoint import load_checkpoint

    ck = load_checkpoint(path)
    x, n0 = ck.series.x, ck.series.n_train
    steps = max(2, min(int(steps), int(ck.series.n_test)))
    horizon = int(ck.config.horizon)
    u = ck.normaliser(x[n0:n0 + steps])
    with torch.no_grad():
        out = ck.model(torch.tensor(u, dtype=torch.float32).reshape(-1, 1, 1))
    return {
        "steps": steps, "u": np.asarray(u, float),
        "y_model": ck.normaliser.inverse(out.y[:, 0, 0].numpy().astype(float)),
        "y_true": np.asarray(x[n0 + horizon:n0 + horizon + steps], float),
        "events": out.events[:, 0, :].numpy(), "hidden": out.hidden[:, 0, :].numpy(),
        "v": out.v[:, 0, :].numpy(), "binary": bool(ck.model.binary),
        "normaliser": ck.normaliser,
    }


def activity(run: dict, keep: slice) -> dict:
    """The model's activity over the kept samples (NeuroBench definitions, tasks.metrics)."""
    ops = M.synaptic_ops(run["u"][keep].reshape(-1, 1), run["hidden"][keep], n_out=1, hidden_binary=run["binary"])
    n = run["events"].shape[1]
    steps = len(run["u"][keep])
    return {"spike_rate": M.spike_rate(run["events"][keep]),
            "nonzero_fraction": M.nonzero_fraction(run["hidden"][keep]),
            "spike_events_per_step": float(run["events"][keep].sum() / steps), "neurons": int(n),
            "synops_dense": ops["dense"], "synops_effective": ops["effective"],
            "synops_effective_acs": ops["effective_acs"], "synops_effective_macs": ops["effective_macs"]}
