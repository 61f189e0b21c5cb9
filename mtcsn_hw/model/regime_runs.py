"""Run each preset under its stimulus protocol and classify what it does."""
from __future__ import annotations

import torch

from mtcsn_hw.model.neuron import simulate_neuron
from mtcsn_hw.model.presets import PRESET_NAMES, preset, protocol
from mtcsn_hw.model.regimes import classify, spike_features


def run_preset(name: str, dt: float = 0.1) -> dict:
    proto = protocol(name)
    t = torch.arange(int(round(proto.t_end / dt)), dtype=torch.float64) * dt
    trace = simulate_neuron(preset(name), proto.current(t), dt=dt)
    spikes = trace.spikes.detach().numpy()
    return {
        "spike_times": [float(s) for s in spikes],
        "t_on": proto.t_on,
        "t_end": proto.t_end,
        "class": classify(spikes, proto.t_on, proto.t_end),
        "features": spike_features(spikes, proto.t_on, proto.t_end),
        "trace": trace,
    }


def run_all(dt: float = 0.1) -> dict:
    return {name: run_preset(name, dt) for name in PRESET_NAMES}
