"""Twin refinement on the driven spike train: its gradient against finite differences, the held-out rule,
batching, and a perturbed neuron's spikes predicted better on a part of the drive no step saw."""
import numpy as np
import pytest
import torch

from mtcsn_hw import NeuronParams
from mtcsn_hw.calibration.reference import MODEL_DT, fine_model_spikes_many, held_drive
from mtcsn_hw.calibration.refine import RefineSettings, part_gamma, refine_twins, spike_time_loss, windows
from mtcsn_hw.errors import ParameterError
from mtcsn_hw.model.neuron import simulate_neuron
from mtcsn_hw.model.params import Element

TONIC = NeuronParams.preset("tonic")
STIM = {"kind": "ou", "sigma": 0.3, "tau": 10.0, "seed": 2, "t_end": 3000.0, "dt": 0.5}
WASHOUT = 150.0


def shifted(params: NeuronParams, d_i_app: float = 0.0, alpha_scale: float = 1.0) -> NeuronParams:
    d = params.to_dict()
    d["i_app"] += d_i_app
    d["elements"][1]["alpha"] *= alpha_scale
    return NeuronParams.from_dict(d)


def test_spike_time_loss_gradient_matches_finite_differences():
    circuit = fine_model_spikes_many([shifted(TONIC, 0.05)], STIM)[0]
    circuit = circuit[circuit < 600.0]
    fluctuation, dt = held_drive(STIM, MODEL_DT)
    steps = int(600.0 / dt)

    def loss(i_app, alpha):
        p = NeuronParams(elements=[TONIC.elements[0], Element("slow+", alpha, 0.0, 50.0)], c=1.0, g=1.0,
                         e_rev=0.0, i_app=i_app)
        spikes = simulate_neuron(p, torch.as_tensor(fluctuation[:steps]) + i_app, dt=dt).spikes
        return spike_time_loss(spikes, circuit, 10.0)

    i0, a0 = torch.tensor(-0.5, dtype=torch.float64), torch.tensor(2.0, dtype=torch.float64)
    i, a = i0.clone().requires_grad_(), a0.clone().requires_grad_()
    value = loss(i, a)
    value.backward()
    assert float(value.detach()) > 1.0 and abs(float(i.grad)) > 1.0       # far enough off to have a gradient to check
    h = 1e-6
    assert float(i.grad) == pytest.approx(float((loss(i0 + h, a0) - loss(i0 - h, a0)) / (2 * h)), rel=1e-4)
    assert float(a.grad) == pytest.approx(float((loss(i0, a0 + h) - loss(i0, a0 - h)) / (2 * h)), rel=1e-4)


def test_refinement_predicts_a_shifted_neuron_better_where_no_step_looked():
    chip = shifted(TONIC, 0.08)
    circuit = fine_model_spikes_many([chip], STIM)[0]
    settings = RefineSettings(steps=6, lr=0.01)
    r = refine_twins([TONIC], [circuit], STIM, WASHOUT, settings)[0]
    assert len(r.scores) == settings.steps + 1 and len(r.losses) == settings.steps
    assert r.best > 0 and r.scores[r.best] == max(r.scores) > r.scores[0]
    assert abs(float(r.params.i_app) - float(chip.i_app)) < abs(float(TONIC.i_app) - float(chip.i_app))
    _, choose_end = windows(STIM["t_end"], WASHOUT, settings)
    before, after = fine_model_spikes_many([r.start, r.params], STIM)
    unseen_before = part_gamma(circuit, before, choose_end, STIM["t_end"])
    unseen_after = part_gamma(circuit, after, choose_end, STIM["t_end"])
    assert unseen_after > unseen_before + 0.05


def test_a_twin_that_already_predicts_its_chip_is_kept():
    circuit = fine_model_spikes_many([TONIC], STIM)[0]
    r = refine_twins([TONIC], [circuit], STIM, WASHOUT, RefineSettings(steps=3, lr=0.01))[0]
    assert r.scores[0] == pytest.approx(1.0) and r.best == 0
    assert r.params.to_dict() == TONIC.to_dict()


def test_twins_refined_together_are_the_twins_refined_one_by_one():
    twins = [TONIC, shifted(TONIC, 0.03, 1.05)]
    trains = fine_model_spikes_many([shifted(TONIC, 0.08), shifted(TONIC, -0.04, 0.95)], STIM)
    settings = RefineSettings(steps=3, lr=0.01)
    together = refine_twins(twins, trains, STIM, WASHOUT, settings)
    for twin, train, joint in zip(twins, trains, together, strict=True):
        alone = refine_twins([twin], [train], STIM, WASHOUT, settings)[0]
        assert joint.best == alone.best and joint.scores == pytest.approx(alone.scores, abs=1e-12)
        for x, y in zip(joint.params.to_dict()["elements"], alone.params.to_dict()["elements"], strict=True):
            assert x["alpha"] == pytest.approx(y["alpha"], abs=1e-10)
        assert float(joint.params.i_app) == pytest.approx(float(alone.params.i_app), abs=1e-10)


def test_zero_steps_keep_the_dc_twins_without_a_model_run():
    r = refine_twins([TONIC], [np.array([1.0, 2.0])], STIM, WASHOUT, RefineSettings(steps=0))[0]
    assert r.params is TONIC and r.scores == [] and r.to_dict()["kept_step"] == 0


@pytest.mark.parametrize("bad", [{"steps": -1}, {"lr": 0.0}, {"fit": 0.0}, {"fit": 0.7, "choose": 0.5}])
def test_bad_settings_are_refused(bad):
    with pytest.raises(ParameterError, match="refinement settings"):
        RefineSettings(**bad)


def test_twins_and_trains_must_pair_up():
    with pytest.raises(ParameterError, match="2 twins but 1 circuit trains"):
        refine_twins([TONIC, TONIC], [np.array([1.0])], STIM, WASHOUT)
