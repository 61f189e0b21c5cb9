"""Spike trains of every kept neuron in one transient of the chip's bench: the autonomous protocol (each
neuron at its own applied current, from rest plus the model's kick, as the preset runs it) and the driven
protocol (a seeded Ornstein-Uhlenbeck fluctuation added to each neuron's i_app: the input sets the spike
phase, so the coincidence factor Gamma is meaningful; it lasts >= 20 of the model's inter-burst periods).
"""
from __future__ import annotations

import numpy as np

from mtcsn_hw.calibration.chip_bench import Chip, apply_all_knobs, keep_neurons
from mtcsn_hw.calibration.measurements import Run, stimulus_current
from mtcsn_hw.circuit import edits, ngspice
from mtcsn_hw.circuit.bench import PWL, Bench, Tran
from mtcsn_hw.circuit.compare import upward_crossings

MAX_STEP = 1.0        # model time units: spike times within ~1 tau0 (Gamma windows are a few tau0)
OU_SIGMA, OU_TAU, OU_DT = 1.0, 50.0, 2.0   # sampled 25 times per correlation time: one PWL point each
MIN_PERIODS = 20


def autonomous_stimulus(t_end: float) -> dict:
    return {"kind": "constant", "t_end": float(t_end), "dt": 1.0}


def driven_stimulus(t_end: float, seed: int) -> dict:
    return {"kind": "ou", "t_end": float(t_end), "dt": OU_DT, "sigma": OU_SIGMA, "tau": OU_TAU, "seed": int(seed)}


def sampled_drive(drive, dt: float, units) -> PWL:
    """The model's zero-order-hold samples as a linear PWL through the middle of each sample: the same mean
    current per sample, one corner per sample (a held step needs two and slows ngspice ~10x). Written
    without breakpoints: restarting the step at every corner cost 2.6-3.3x the CPU (bench/driven_source.py)."""
    times = units.seconds((np.arange(len(drive)) + 0.5) * dt)
    amps = units.amps(np.asarray(drive, float))
    return PWL(tuple(zip(times.tolist(), amps.tolist(), strict=True)), breakpoints=False)


def spike_bench(chip: Chip, keep, stimuli: dict, knobs_by_neuron: dict | None = None) -> Bench:
    """stimuli: k -> stimulus recipe (measurements.check_stimulus); all must share one t_end."""
    u = chip.units
    bench = keep_neurons(chip.bench, set(keep), len(chip.neurons))
    t_end = max(float(s["t_end"]) for s in stimuli.values())
    for k in keep:
        st = stimuli[k]
        if st["kind"] != "constant":
            drive = stimulus_current(st, float(chip.neurons[k].i_app))
            bench = edits.replace_source(bench, f"Iapp_{k}", sampled_drive(drive, float(st["dt"]), u))
    bench = apply_all_knobs(bench, knobs_by_neuron or {}, chip.neurons, u)
    step = u.seconds(MAX_STEP)
    saves = tuple(f"v(vm_{k})" for k in keep)
    return edits.set_analyses(bench, Tran(step, u.seconds(t_end), 0.0, step), saves=saves)


def measure_spikes(chip: Chip, keep, stimuli: dict, knobs_by_neuron: dict | None = None) -> dict:
    """k -> Run (spike times in model units: upward crossings of the rest-free threshold V = 0)."""
    u = chip.units
    res = ngspice.run(spike_bench(chip, keep, stimuli, knobs_by_neuron))
    t = np.asarray(res.plot("tran")["time"], float)
    out = {}
    for k in keep:
        spikes = u.to_model_t(upward_crossings(t, res.v(f"vm_{k}"), u.volt(0.0)))
        out[k] = Run(stimuli[k], np.asarray(spikes, float))
    return out
