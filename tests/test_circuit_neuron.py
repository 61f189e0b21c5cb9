"""Whole neurons: behavioural circuit == model; transistor circuit keeps its preset's regime."""
import numpy as np
import pytest
from circuit_helpers import GAMMA_WINDOW, circuit_spikes, model_spikes

from mtcsn_hw.circuit.compare import classify, coincidence_factor, iv_rmse
from mtcsn_hw.circuit.iv import iv_curves_circuit, iv_curves_model
from mtcsn_hw.circuit.mapping import Units
from mtcsn_hw.circuit.technology import for_level
from mtcsn_hw.model.presets import PROTOCOLS, preset


@pytest.mark.parametrize("name", ["tonic", "bursting"])
def test_behavioral_neuron_matches_model_spike_times(name):
    pr = PROTOCOLS[name]
    ref = model_spikes(name)
    got, tr, units = circuit_spikes(name, "behavioral")
    gamma = coincidence_factor(ref, got, GAMMA_WINDOW, pr.t_end)
    print(f"behavioral {name}: {len(got)} spikes (model {len(ref)}), Gamma(+-{GAMMA_WINDOW}) = {gamma:.3f}, "
          f"tau0 = {units.tau0 * 1e6:.2f} us")
    assert len(ref) >= 10
    assert gamma >= 0.95


@pytest.mark.parametrize("name", ["tonic", "phasic", "bursting"])
def test_transistor_neuron_shows_its_regime(name):
    pr = PROTOCOLS[name]
    ref = model_spikes(name)
    got, tr, units = circuit_spikes(name, "transistor")
    want = classify(ref, pr.t_on, pr.t_end)
    regime = classify(got, pr.t_on, pr.t_end)
    gamma = coincidence_factor(ref, got, GAMMA_WINDOW, pr.t_end)
    rate_m, rate_c = len(ref) / pr.t_end, len(got) / pr.t_end
    print(f"transistor {name}: regime {regime} (model {want}), Gamma = {gamma:.3f}, rate {rate_c * 1e3:.2f} "
          f"vs model {rate_m * 1e3:.2f} per 1000 tau0, {len(got)} vs {len(ref)} spikes")
    assert want == name
    assert regime == want


def test_iv_curves_behavioral_exact_transistor_close():
    params = preset("bursting")
    v_lo, v_hi, step = -3.0, 3.0, 0.1
    # behavioural: only the DC solver tolerance (reltol 1e-3) separates circuit and model
    for level, tol in (("behavioral", 2e-3), ("transistor", 0.05)):
        units = Units(for_level(level))
        circ = iv_curves_circuit(params, units, v_lo=v_lo, v_hi=v_hi, step=step)
        model = iv_curves_model(params, circ["v"], circ["v_rest"])
        errs = {k: iv_rmse(circ["v"], model[k], circ[k]) for k in ("fast", "slow", "ultraslow")}
        print(f"I-V RMSE off the model ({level}, % of full scale): "
              + ", ".join(f"{k} {100 * e:.2f}" for k, e in errs.items()))
        assert np.allclose(circ["v"], np.arange(v_lo, v_hi + step / 2, step), atol=1e-6)
        assert max(errs.values()) < tol
