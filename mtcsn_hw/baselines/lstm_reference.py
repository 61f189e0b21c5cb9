"""NeuroBench's Mackey-Glass LSTM (the leaderboard's autoregressive reference), rebuilt to run on our series.

The recipe of NeuroBench's examples/mackey_glass (lstm_model.py, lstm_benchmark.py at their defaults): the
input is a 50-sample look-back window of the raw series (zero-padded before the start), layer-normalised,
into one LSTM cell of 40 units (the leaderboard's entry has 100: its footprint, 4.90E5 bytes, is 61001 float64
parameters), ReLU, a linear read-out; float64; seed r; 200 full-batch Adam steps (lr 5e-3,
weight decay 1e-3) on the MSE of the one-step prediction over the whole train part, from zero state. At test
the network is warmed up over the train part and then fed its own predictions.

Training runs the cell over the sequence as `nn.LSTM` (the same gates and weight layout as NeuroBench's
`nn.LSTMCell`, initialised from the same random draws), which is far faster than a Python loop; the free run
steps it one sample at a time.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch
from torch import nn

from mtcsn_hw.errors import ParameterError

LOOKBACK, HIDDEN, EPOCHS, LR, WEIGHT_DECAY = 50, 40, 200, 5e-3, 1e-3


class NeuroBenchLSTM(nn.Module):
    """Look-back window -> LayerNorm -> LSTM(hidden) -> ReLU -> Linear, in float64."""

    def __init__(self, lookback: int = LOOKBACK, hidden: int = HIDDEN):
        super().__init__()
        # created in float32 and cast, in NeuroBench's order, so seed r draws NeuroBench's initial weights
        self.lstm = nn.LSTM(lookback, hidden).double()
        self.fc = nn.Linear(hidden, 1).double()
        self.norm = nn.LayerNorm(lookback).double()

    def forward(self, windows: torch.Tensor, state=None):
        """windows (T, 1, lookback) -> predictions (T,) and the state after the last one."""
        h, state = self.lstm(self.norm(windows), state)
        return self.fc(torch.relu(h))[:, 0, 0], state


def lookback_windows(x: np.ndarray, lookback: int = LOOKBACK) -> torch.Tensor:
    """Window n holds x[n - lookback + 1 .. n], zeros before the start: (len(x), 1, lookback)."""
    padded = np.concatenate([np.zeros(lookback - 1), np.asarray(x, float)])
    idx = np.arange(len(x))[:, None] + np.arange(lookback)[None, :]
    return torch.tensor(padded[idx], dtype=torch.float64)[:, None, :]


@dataclass
class TrainedLSTM:
    model: NeuroBenchLSTM
    final_loss: float


def train_lstm(x_train: np.ndarray, target: np.ndarray, seed: int, epochs: int = EPOCHS,
               hidden: int = HIDDEN) -> TrainedLSTM:
    """Fit the one-step map x[n] -> target[n] (= x[n + 1]) over the whole sequence, NeuroBench's way."""
    torch.manual_seed(seed)
    model = NeuroBenchLSTM(hidden=hidden)
    opt = torch.optim.Adam(model.parameters(), lr=LR, weight_decay=WEIGHT_DECAY)
    windows = lookback_windows(x_train)
    y = torch.tensor(np.asarray(target, float), dtype=torch.float64)
    loss = torch.tensor(float("nan"))
    for _ in range(epochs):
        pred, _ = model(windows)
        loss = torch.mean((pred - y) ** 2)
        opt.zero_grad()
        loss.backward()
        opt.step()
    return TrainedLSTM(model, float(loss.detach()))


@torch.no_grad()
def free_run(model: NeuroBenchLSTM, x: np.ndarray, n0: int, steps: int, first_true: bool = False) -> np.ndarray:
    """Warm up on x[:n0], then feed back predictions for `steps` steps.

    first_true=False (our protocol): the predictions are of x[n0 .. n0 + steps - 1], the first one made from the
    warm-up alone. first_true=True (NeuroBench's test loop): x[n0] is fed in as well, and the predictions are of
    x[n0 + 1 .. n0 + steps].
    """
    warm = n0 + 1 if first_true else n0
    if not 1 <= warm <= len(x) or steps < 0:
        raise ParameterError(f"a free run needs 1..{len(x)} warm-up samples and steps >= 0 (got {warm}, {steps})")
    windows = lookback_windows(x[:warm])
    pred, state = model(windows)
    window, y = windows[-1:].clone(), pred[-1:]
    out = []
    for _ in range(steps):
        out.append(float(y))
        window = torch.cat([window[..., 1:], y.view(1, 1, 1)], dim=-1)
        y, state = model(window, state)
    return np.array(out)
