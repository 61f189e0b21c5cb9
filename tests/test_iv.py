import numpy as np
import pytest
import torch

from mtcsn_hw import NeuronParams
from mtcsn_hw.model.iv import iv_curves, negative_slope_regions, shape

V = np.linspace(-4, 4, 801)


def test_curves_equal_the_closed_form_for_bursting():
    p = NeuronParams.preset("bursting")
    c = iv_curves(p, V)
    vr = c["v_rest"]
    # closed forms written out by hand from DESIGN §1 (c = g = 1, e_rev = 0)
    fast = V - 2 * np.tanh(V) + 2 * np.tanh(vr) - 1.5 * np.tanh(vr + 1.5) + 1.5 * np.tanh(vr + 1.5)
    slow = V - 2 * np.tanh(V) + 2 * np.tanh(V) - 1.5 * np.tanh(V + 1.5) + 1.5 * np.tanh(vr + 1.5)
    ultra = V - 1.5 * np.tanh(V + 1.5) + 1.5 * np.tanh(V + 1.5)
    np.testing.assert_allclose(c["fast"].numpy(), fast, atol=1e-12)
    np.testing.assert_allclose(c["slow"].numpy(), slow, atol=1e-12)
    np.testing.assert_allclose(c["ultraslow"].numpy(), ultra, atol=1e-12)


def test_rest_is_where_the_steady_state_curve_meets_i_app():
    for name in ("tonic", "phasic", "bursting"):
        p = NeuronParams.preset(name)
        c = iv_curves(p, [0.0])
        at_rest = iv_curves(p, [c["v_rest"]])["ultraslow"].item()
        assert at_rest == pytest.approx(p.i_app, abs=1e-9)


def test_tonic_fast_is_N_shaped_and_slow_monotone():
    c = iv_curves(NeuronParams.preset("tonic"), V)
    assert shape(V, c["fast"]) == "N-shaped"
    assert shape(V, c["slow"]) == "monotone"


def test_bursting_fast_and_slow_are_N_shaped_and_ultraslow_monotone():
    c = iv_curves(NeuronParams.preset("bursting"), V)
    assert shape(V, c["fast"]) == "N-shaped"
    assert shape(V, c["slow"]) == "N-shaped"
    assert shape(V, c["ultraslow"]) == "monotone"


def test_negative_slope_region_of_a_known_cubic():
    v = np.linspace(-2, 2, 4001)
    (lo, hi), = negative_slope_regions(v, v ** 3 - v)       # slope 3v^2 - 1 < 0 for |v| < 1/sqrt(3)
    assert lo == pytest.approx(-1 / np.sqrt(3), abs=2e-3) and hi == pytest.approx(1 / np.sqrt(3), abs=2e-3)
    assert shape(v, v ** 3 - v) == "N-shaped" and shape(v, v) == "monotone"


def test_curves_are_differentiable_in_the_parameters():
    a = torch.tensor(-2.0, dtype=torch.float64, requires_grad=True)
    p = NeuronParams.preset("tonic").with_element("fast-", alpha=a)
    c = iv_curves(p, [0.5], v_rest=-0.5)
    (g,) = torch.autograd.grad(c["fast"].sum(), a)
    assert g.item() == pytest.approx(np.tanh(0.5), rel=1e-12)
