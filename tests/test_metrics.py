import numpy as np
import pytest

from mtcsn_hw.tasks import metrics as M


def test_smape_hand_computed():
    # |1-2|/(1+2) = 1/3, |2-2|/4 = 0, |-1-1|/(1+1) = 1  -> 200 * (4/3) / 3
    assert M.smape([1.0, 2.0, -1.0], [2.0, 2.0, 1.0]) == pytest.approx(200 * (4 / 3) / 3)
    assert M.smape([0.0], [0.0]) == 0.0
    assert M.smape([3.0], [-3.0]) == pytest.approx(200.0)


def test_nrmse_hand_computed():
    y = np.array([0.0, 2.0])          # std 1
    assert M.nrmse(y + np.array([1.0, -1.0]), y) == pytest.approx(1.0)
    assert M.nrmse(y, y) == 0.0
    assert M.nrmse(np.array([1.0, 2.0]), y) == pytest.approx(np.sqrt(0.5))


def test_activity_hand_computed():
    events = np.zeros((4, 1, 2))
    events[1, 0, 0] = 1
    events[3, 0, 1] = 1
    assert M.spike_rate(events) == pytest.approx(2 / 8)
    out = np.array([[0.0, 0.5], [0.0, 0.0], [1.0, 0.2]])
    assert M.nonzero_fraction(out) == pytest.approx(3 / 6)


def test_synaptic_ops_hand_computed():
    inputs = np.array([[0.3], [0.0], [-1.0]])                  # 2 nonzero of 3 steps, 1 input
    hidden = np.array([[0.0, 0.0, 0.5], [1.0, 1.0, 0.0], [0.0, 0.0, 0.0]])  # 3 nonzero, 3 hidden
    graded = M.synaptic_ops(inputs, hidden, n_out=2, hidden_binary=False)
    assert graded["dense"] == 1 * 3 + 3 * 2
    # effective: input 2 * 3 hidden + hidden 3 * 2 outputs = 12 over 3 steps
    assert graded["effective"] == pytest.approx(12 / 3)
    assert graded["effective_macs"] == pytest.approx(4.0) and graded["effective_acs"] == 0.0
    binary = M.synaptic_ops(inputs, (hidden > 0).astype(float), n_out=2, hidden_binary=True)
    assert binary["effective_acs"] == pytest.approx(6 / 3) and binary["effective_macs"] == pytest.approx(6 / 3)
    # a recurrent layer: every nonzero hidden output also drives the 3 hidden neurons (3 * 3 more MACs)
    lateral = M.synaptic_ops(inputs, hidden, n_out=2, hidden_binary=False, n_lateral=3)
    assert lateral["dense"] == 1 * 3 + 3 * (2 + 3) and lateral["effective_macs"] == pytest.approx((6 + 15) / 3)
