"""The model's spike train under a stimulus recipe, integrated finer than the recipe's sampling: the recipe's
samples held (zero-order hold), integrated at MODEL_DT. Bursting preset, autonomous, 10000 time units
(spikes a burst, intra-burst ISI, period): dt 1: 5.7, 77.7, 2513; dt 0.25: 6.7, 73.6, 2511; dt 0.1: 6.7, 72.6,
2499."""
from __future__ import annotations

import numpy as np
import torch

from mtcsn_hw.calibration.measurements import stimulus_current
from mtcsn_hw.model.neuron import simulate_neuron
from mtcsn_hw.model.params import NeuronParams

MODEL_DT = 0.25
# the autonomous reference (regime and rhythm): the bursting preset's steady rhythm at dt 0.01 is within 0.2 %
# of the continuous-time model's (solve_ivp DOP853: intra-burst ISI 68.73, period 2494); at 0.25 its ISI is 3.6 % long
RHYTHM_DT = 0.01


def held_drive(stimulus: dict, model_dt: float) -> tuple[np.ndarray, float]:
    """The recipe's fluctuation (no i_app) held over the substeps of about model_dt, and that step."""
    substeps = max(1, int(round(float(stimulus["dt"]) / model_dt)))
    return np.repeat(stimulus_current(stimulus, 0.0), substeps), float(stimulus["dt"]) / substeps


def fine_model_spikes(params: NeuronParams, stimulus: dict, model_dt: float = MODEL_DT) -> np.ndarray:
    fluctuation, dt = held_drive(stimulus, model_dt)
    trace = simulate_neuron(params, torch.as_tensor(fluctuation + float(params.i_app)), dt=dt)
    return trace.spikes.detach().numpy()


def fine_model_spikes_many(neurons, stimulus: dict, model_dt: float = MODEL_DT, batch_min: int = 16) -> list:
    """fine_model_spikes for several neurons under one stimulus recipe (each at its own i_app), the same trains as
    one run each: at least batch_min neurons that share their elements go in one batched run (48 neurons: 10 s
    against 28 s one by one; below ~10 the one-neuron path is as fast)."""
    neurons = list(neurons)
    groups: dict = {}
    for j, p in enumerate(neurons):
        groups.setdefault(tuple(e.name for e in p.elements), []).append(j)
    fluctuation, dt = held_drive(stimulus, model_dt)
    out: list = [None] * len(neurons)
    for members in groups.values():
        if len(members) < max(batch_min, 2):
            for j in members:
                out[j] = fine_model_spikes(neurons[j], stimulus, model_dt)
            continue
        batch = [neurons[j] for j in members]
        drive = fluctuation[:, None] + np.array([float(p.i_app) for p in batch])[None, :]
        with torch.no_grad():
            trace = simulate_neuron(batch, torch.as_tensor(drive), dt=dt)
        for j, spikes in zip(members, trace.spike_times, strict=True):
            out[j] = spikes.detach().numpy()
    return out


def autonomous_spikes(neurons, t_end: float, dt: float = RHYTHM_DT) -> list:
    """Each neuron at its own constant i_app from rest plus the kick (the autonomous protocol), integrated at
    dt, all neurons in one batched run; per neuron its spike times."""
    trace = simulate_neuron(list(neurons), t_end=float(t_end), dt=dt)
    return [s.detach().numpy() for s in trace.spike_times]
