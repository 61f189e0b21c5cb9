import numpy as np
import pytest
import torch
from torch import nn

from mtcsn_hw.baselines.lstm_reference import NeuroBenchLSTM, free_run, lookback_windows, train_lstm
from mtcsn_hw.errors import ParameterError
from mtcsn_hw.tasks.mackey_glass import neurobench_series


def neurobench_step_loop(x, seed, lookback=50, hidden=40):
    """NeuroBench's lstm_model.py in single-step mode: a push/pop input buffer and an LSTMCell, step by step."""
    torch.manual_seed(seed)
    cell = nn.LSTMCell(lookback, hidden).type(torch.float64)
    fc = nn.Linear(hidden, 1).type(torch.float64)
    norm = nn.LayerNorm(lookback).type(torch.float64)
    buf = torch.zeros(1, lookback, dtype=torch.float64)
    h = c = torch.zeros(1, hidden, dtype=torch.float64)
    windows, out = [], []
    with torch.no_grad():
        for v in x:
            buf = torch.cat([buf, torch.tensor([[v]], dtype=torch.float64)], dim=-1)[:, 1:]
            windows.append(buf.clone())
            h, c = cell(norm(buf), (h, c))
            out.append(float(fc(torch.relu(h))))
    return torch.stack(windows), np.array(out)


def test_windows_and_outputs_match_neurobench_step_loop():
    x = neurobench_series().x[:80]
    ref_windows, ref_out = neurobench_step_loop(x, seed=3)
    assert torch.equal(lookback_windows(x), ref_windows)
    torch.manual_seed(3)
    model = NeuroBenchLSTM()
    with torch.no_grad():
        out, _ = model(lookback_windows(x))
    np.testing.assert_allclose(out.numpy(), ref_out, rtol=1e-12, atol=1e-14)


def test_free_run_feeds_back_its_predictions():
    x = neurobench_series().x
    torch.manual_seed(0)
    model = NeuroBenchLSTM()
    n0 = 120
    ours = free_run(model, x, n0, 3)
    theirs = free_run(model, x, n0, 3, first_true=True)
    with torch.no_grad():
        # from scratch over the whole sequence: the warm-up, then the predictions appended as inputs
        seq = np.concatenate([x[:n0], ours[:2]])
        replay, _ = model(lookback_windows(seq))
        seq_nb = np.concatenate([x[:n0 + 1], theirs[:2]])
        replay_nb, _ = model(lookback_windows(seq_nb))
    np.testing.assert_allclose(ours, replay[n0 - 1:].numpy(), rtol=1e-12)
    np.testing.assert_allclose(theirs, replay_nb[n0:].numpy(), rtol=1e-12)
    assert abs(ours[0] - theirs[0]) > 1e-9  # x[n0] fed in changes the first prediction


def test_free_run_from_zero_state_is_neurobench_2024_scoring():
    # NeuroBench's script until June 2025 reset the state and look-back to zero, fed in x[0] and free-ran
    x = neurobench_series().x
    torch.manual_seed(1)
    model = NeuroBenchLSTM()
    run = free_run(model, x, 0, 4, first_true=True)
    _, ref = neurobench_step_loop([x[0], *run[:3]], seed=1)
    np.testing.assert_allclose(run, ref, rtol=1e-12)


def test_training_fits_the_one_step_map_and_is_seeded():
    x = neurobench_series().x
    torch.manual_seed(5)
    with torch.no_grad():
        pred, _ = NeuroBenchLSTM()(lookback_windows(x[:300]))
    untrained = float(torch.mean((pred - torch.tensor(x[1:301])) ** 2))
    a = train_lstm(x[:300], x[1:301], seed=5, epochs=30)
    b = train_lstm(x[:300], x[1:301], seed=5, epochs=30)
    c = train_lstm(x[:300], x[1:301], seed=6, epochs=30)
    assert a.final_loss < 0.2 * untrained
    assert a.final_loss == b.final_loss and a.final_loss != c.final_loss


def test_free_run_without_a_warm_up_sample_is_refused():
    model = NeuroBenchLSTM()
    x = neurobench_series().x[:60]
    with pytest.raises(ParameterError):
        free_run(model, x, 0, 5)  # our alignment needs x[:n0] with n0 >= 1
    with pytest.raises(ParameterError):
        free_run(model, x, 60, 5, first_true=True)  # x[60] does not exist
