"""Real ngspice in the engine's workers (one shared-mode simulator per worker, many chips each): each chip's
behavioural circuit neuron, perturbed per seed, fires like the model neuron with the same parameters."""
import json

import numpy as np
import pytest

from mtcsn_hw.calibration import run_sweep
from mtcsn_hw.calibration.example_jobs import perturbed_circuit_neuron, perturbed_params
from mtcsn_hw.model.neuron import simulate_neuron

CONTEXT = {"preset": "tonic", "sigma_alpha": 0.15, "sigma_delta": 0.15, "t_end": 300.0}


def test_ngspice_chips_in_workers_follow_the_model(tmp_path):
    report = run_sweep(perturbed_circuit_neuron, tmp_path, chips=4, context=CONTEXT, workers=2)
    assert sorted(report.computed) == [0, 1, 2, 3] and not report.failed
    counts = []
    for seed in range(4):
        chip = json.loads((tmp_path / "chips" / f"chip-{seed}" / "result.json").read_text())
        circuit = np.array(json.loads((tmp_path / "chips" / f"chip-{seed}" / "spikes.json").read_text())["t"])
        model = simulate_neuron(perturbed_params(seed, CONTEXT), t_end=CONTEXT["t_end"], dt=0.01).spikes.numpy()
        assert chip["summary"]["spikes"] == len(circuit)
        assert len(circuit) == len(model)
        assert circuit == pytest.approx(model, abs=1.0)  # model time units; the tonic ISI is ~50
        counts.append(len(circuit))
    assert len(set(counts)) > 1, "the perturbation should change the firing"
