"""Digital twin: gradient of the trajectory loss, and the twin predicting its chip's driven spike train."""
import numpy as np
import pytest
import torch

from mtcsn_hw import NeuronParams
from mtcsn_hw.calibration.measurements import Run
from mtcsn_hw.calibration.record import gamma, model_spikes
from mtcsn_hw.calibration.refine import _with_tensors, refine_twin, trace_loss
from mtcsn_hw.calibration.synthetic import ChipDraws, Spread, SyntheticChip
from mtcsn_hw.calibration.twin import dc_twin
from mtcsn_hw.circuit.mapping import Units
from mtcsn_hw.circuit.technology import for_level
from mtcsn_hw.errors import ParameterError

BURSTING = NeuronParams.preset("bursting")
UNITS = Units(for_level("behavioral"))
# >= 20 inter-burst periods of the bursting preset (period ~2500)
DRIVEN = {"kind": "ou", "sigma": 1.0, "tau": 20.0, "seed": 1, "t_end": 50000.0, "dt": 0.5}


def test_trace_loss_gradient_matches_finite_differences():
    tonic = NeuronParams.preset("tonic")
    spec = {"kind": "ou", "sigma": 0.3, "tau": 10.0, "seed": 2, "t_end": 150.0, "dt": 0.5}
    chip = SyntheticChip(tonic, ChipDraws.draw(tonic, Spread(), 4), UNITS, runs={"driven": spec}, record_v=150.0)
    run = chip.measure(chip.nominal).runs["driven"]
    base = dc_twin(tonic, chip.measure(chip.nominal)).params
    a0 = torch.tensor([float(e.alpha) for e in base.elements], dtype=torch.float64)
    d0 = torch.tensor([float(e.delta) for e in base.elements], dtype=torch.float64)
    i0 = torch.tensor(float(base.i_app), dtype=torch.float64)

    def loss(a, d, i):
        return trace_loss(_with_tensors(base, a, d, i), run, 150.0)

    a, d, i = a0.clone().requires_grad_(), d0.clone().requires_grad_(), i0.clone().requires_grad_()
    loss(a, d, i).backward()
    h = 1e-6
    for j in range(len(base.elements)):
        e = torch.zeros_like(a0)
        e[j] = h
        fd_a = (loss(a0 + e, d0, i0) - loss(a0 - e, d0, i0)) / (2 * h)
        fd_d = (loss(a0, d0 + e, i0) - loss(a0, d0 - e, i0)) / (2 * h)
        assert float(a.grad[j]) == pytest.approx(float(fd_a), rel=1e-4, abs=1e-9)
        assert float(d.grad[j]) == pytest.approx(float(fd_d), rel=1e-4, abs=1e-9)
    fd_i = (loss(a0, d0, i0 + h) - loss(a0, d0, i0 - h)) / (2 * h)
    assert float(i.grad) == pytest.approx(float(fd_i), rel=1e-4, abs=1e-9)
    assert float(d.grad.abs().max()) > 1e-6  # the check is not of zeros


def test_refinement_needs_a_voltage_trace():
    run = Run({"kind": "constant", "t_end": 10.0, "dt": 0.5}, np.array([1.0, 2.0]))
    with pytest.raises(ParameterError, match="voltage trace"):
        refine_twin(BURSTING, run, iterations=1)


@pytest.mark.slow
def test_twin_predicts_its_chips_driven_spike_train(tmp_path):
    seed = 0  # of seeds 0-5 the one whose DC twin is worst (Gamma 0.91 before refinement)
    chip = SyntheticChip(BURSTING, ChipDraws.draw(BURSTING, Spread(), seed), UNITS, runs={"driven": DRIVEN},
                         record_v=DRIVEN["t_end"], v_dt=1.0)
    meas = chip.measure(chip.nominal)
    run = meas.runs["driven"]
    twin = dc_twin(BURSTING, meas)
    refined = refine_twin(twin.params, run, window=1500.0, iterations=6, lr=0.003)
    assert refined.scores[refined.best] <= refined.scores[0]
    g_twin, window = gamma(run.spike_times, model_spikes(refined.params, DRIVEN), DRIVEN["t_end"])
    g_nominal, _ = gamma(run.spike_times, model_spikes(BURSTING, DRIVEN), DRIVEN["t_end"])
    assert window == pytest.approx(0.05 * np.median(np.diff(run.spike_times)))
    assert g_twin >= 0.9 > g_nominal
    refined.params.save(tmp_path / "twin.json")
    assert NeuronParams.load(tmp_path / "twin.json").to_dict() == refined.params.to_dict()
