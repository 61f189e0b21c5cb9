"""A delay line on the input (`input_lags`): the hidden layer also reads x(t - l), in training, in the
teacher-forced warm-up and in the free run, and a checkpoint keeps it."""
import json

import numpy as np
import pytest
import torch
from forecaster_helpers import PassThrough

from mtcsn_hw.errors import ParameterError
from mtcsn_hw.tasks.mackey_glass import neurobench_series
from mtcsn_hw.training.checkpoint import load_checkpoint
from mtcsn_hw.training.config import TrainConfig
from mtcsn_hw.training.evaluate import metrics, predict
from mtcsn_hw.training.network import Forecaster
from mtcsn_hw.training.run import train_and_save

LAGS = (2, 3)


def test_taps_read_the_input_that_many_steps_back_across_calls():
    net = Forecaster(PassThrough(), 1 + len(LAGS), input_lags=LAGS)
    x = torch.arange(1.0, 11.0).reshape(-1, 1, 1)
    with torch.no_grad():
        whole = net(x).inputs[:, 0].numpy()
        first = net(x[:4])
        rest = net(x[4:], first.state).inputs[:, 0].numpy()
    xs = x[:, 0, 0].numpy()
    for col, lag in enumerate(LAGS, start=1):
        assert np.array_equal(whole[lag:, col], xs[:-lag]) and not whole[:lag, col].any()  # zeros before the start
    assert np.array_equal(np.concatenate([first.inputs[:, 0].numpy(), rest]), whole)


@pytest.fixture(scope="module")
def lagged_checkpoint(tmp_path_factory):
    torch.set_num_threads(1)
    out = tmp_path_factory.mktemp("ck") / "taps"
    cfg = TrainConfig(model="mtcsn", protocol="autoregressive", iterations=3, n_hidden=6, batch=2, window=60,
                      washout=10, closed_loop=20, input_lags=list(LAGS), train_lyap=4, test_lyap=1)
    train_and_save(cfg, out, progress=False)
    return out


def test_free_run_feeds_its_own_predictions_through_the_taps(lagged_checkpoint):
    ck = load_checkpoint(lagged_checkpoint)
    s = ck.series
    pred = predict(ck.model, s, ck.normaliser, "autoregressive", 1)
    fed = pred["inputs"][:, 0, :]
    u = ck.normaliser(s.x)
    for col, lag in enumerate(LAGS, start=1):
        assert np.allclose(fed[lag:, col], fed[:-lag, 0])                      # its own earlier predictions
        assert np.allclose(fed[:lag, col], u[s.n_train - lag:s.n_train], atol=1e-6)  # the warm-up's data
    assert metrics(pred, ck.model.binary)["synops_dense"] == 6 * (1 + len(LAGS)) + 6


def test_a_checkpoint_keeps_the_taps(lagged_checkpoint):
    params = json.loads((lagged_checkpoint / "params.json").read_text())
    assert params["input_lags"] == list(LAGS)
    assert np.asarray(params["input_weights"]).shape == (6, 1 + len(LAGS))
    ck = load_checkpoint(lagged_checkpoint)
    stored = json.loads((lagged_checkpoint / "metrics.json").read_text())
    again = metrics(predict(ck.model, ck.series, ck.normaliser, "autoregressive", 1), ck.model.binary)
    assert again["smape"] == pytest.approx(stored["smape"], rel=1e-6)


@pytest.mark.parametrize("lags", [[0], [-2], [3, 3], [2.5], ["6"], [60], "6"])
def test_bad_lags_are_refused(lags):
    with pytest.raises(ParameterError, match="input_lags"):
        TrainConfig(window=60, input_lags=lags).validate()


def test_series_constant_puts_tau_between_the_taps():
    from mtcsn_hw.tasks.mackey_glass import TAU
    from mtcsn_hw.training.fronts import DELAY_TAPS

    s = neurobench_series(1, 1)
    assert DELAY_TAPS[0] * s.sample_dt <= TAU <= DELAY_TAPS[1] * s.sample_dt and DELAY_TAPS[1] - DELAY_TAPS[0] == 1
