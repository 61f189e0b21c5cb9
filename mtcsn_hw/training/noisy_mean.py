"""An autoregressive forecast as the mean of several free runs of one network, each fed its own predictions
plus a little noise.

The hope: past the predictability horizon the runs part ways, and their mean shrinks the forecast where the
phase is uncertain, as averaging several trained networks does. Measured, it does not: the runs stay together
or all go wrong alike (docs/mackey-glass.md).
"""
from __future__ import annotations

import numpy as np
import torch

from mtcsn_hw.errors import ParameterError
from mtcsn_hw.tasks.forecasting import Normaliser
from mtcsn_hw.tasks.mackey_glass import MackeyGlassSeries
from mtcsn_hw.training.network import Forecaster


@torch.no_grad()
def noisy_mean_forecast(model: Forecaster, series: MackeyGlassSeries, norm: Normaliser, runs: int, noise: float,
                        seed: int = 0) -> np.ndarray:
    """The test part's forecast (original units): teacher-forced over the train part, then `runs` free runs
    side by side in one batch, each step's fed-back prediction plus Gaussian noise of std `noise` (normalised
    units, drawn from `seed`), averaged. runs = 1 with noise = 0 is the plain free run."""
    if not (type(runs) is int and runs >= 1):
        raise ParameterError(f"runs must be a whole number >= 1, got {runs!r}")
    if not 0 <= noise < float("inf"):
        raise ParameterError(f"noise must be a finite number >= 0, got {noise}")
    model.eval()
    n0, n1 = series.n_train, series.n_train + series.n_test
    u = torch.tensor(norm(series.x[:n0]), dtype=torch.float32).reshape(-1, 1, 1).expand(-1, runs, 1)
    out = model(u.contiguous())
    state, y = out.state, out.y[-1:]
    gen = torch.Generator().manual_seed(seed)
    preds = []
    for _ in range(n1 - n0):
        preds.append(y)
        fed = y + noise * torch.randn(y.shape, generator=gen) if noise else y
        step = model(fed, state)
        state, y = step.state, step.y
    return norm.inverse(torch.cat(preds)[:, :, 0].mean(dim=1).numpy())
