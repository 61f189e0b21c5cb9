"""Shared helpers for the circuit tests (real ngspice, real sky130)."""
from __future__ import annotations

import numpy as np

from mtcsn_hw.circuit.build import preset_spec
from mtcsn_hw.circuit.mapping import Units
from mtcsn_hw.circuit.network import network_bench
from mtcsn_hw.circuit.simulate import run_transient
from mtcsn_hw.circuit.technology import for_level
from mtcsn_hw.model.neuron import simulate_neuron
from mtcsn_hw.model.presets import PROTOCOLS, preset

MODEL_DT = 0.01      # the discrete model converges at first order: 0.01 keeps its spike times within ~1 tau0
GAMMA_WINDOW = 2.0   # model time units (3.5 % of the tonic ISI)


def model_spikes(name: str) -> np.ndarray:
    pr = PROTOCOLS[name]
    t = np.arange(int(round(pr.t_end / MODEL_DT))) * MODEL_DT
    return simulate_neuron(preset(name), i_app=pr.current(t), dt=MODEL_DT).spikes.numpy()


def circuit_spikes(name: str, level: str):
    units = Units(for_level(level))
    tr = run_transient(network_bench(preset_spec(name), units), units, 1)
    return units.to_model_t(tr.spikes[0]), tr, units
