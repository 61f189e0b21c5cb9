"""Forecasting protocols on a sampled series.

direct          input x(n), target x(n + H); train on windows inside the train part (targets too),
                test on n in the test part with the network run continuously from n = 0.
autoregressive  NeuroBench: teacher-forced one-step training (input x(n), target x(n + 1)); at test the
                network is run over the train part, then fed its own predictions for the whole test
                part (n_test steps); compared with x over the test part.
Values are normalised with the train part's mean and std.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from mtcsn_hw.errors import ParameterError

PROTOCOLS = ("direct", "autoregressive")


@dataclass
class Normaliser:
    mean: float
    std: float

    @classmethod
    def fit(cls, x_train) -> Normaliser:
        return cls(float(np.mean(x_train)), float(np.std(x_train)))

    def __call__(self, x):
        return (np.asarray(x, float) - self.mean) / self.std

    def inverse(self, u):
        return np.asarray(u, float) * self.std + self.mean


def horizon_of(protocol: str, horizon: int) -> int:
    if protocol not in PROTOCOLS:
        raise ParameterError(f"unknown protocol {protocol!r}; choose one of {', '.join(PROTOCOLS)}")
    return 1 if protocol == "autoregressive" else int(horizon)


def training_windows(u: np.ndarray, n_train: int, h: int, window: int, starts: np.ndarray):
    """Inputs (window, B) and targets (window, B) for windows starting at `starts`, all inside the train part."""
    if h < 1 or window < 1 or np.any(starts < 0) or np.any(starts + window + h > n_train):
        raise ParameterError(f"windows of {window} steps + horizon {h} do not fit in {n_train} train samples")
    idx = starts[None, :] + np.arange(window)[:, None]
    return u[idx], u[idx + h]


def fit_samples(n_train: int, val_fraction: float) -> int:
    """Samples at the start of the train part that training windows (inputs and targets) may use."""
    if not 0 <= val_fraction < 1:
        raise ParameterError(f"val_fraction must be in [0, 1), got {val_fraction}")
    return n_train - round(val_fraction * n_train)


def validation_split(n_train: int, val_fraction: float, protocol: str, horizon: int) -> tuple[int, int]:
    """Input steps [n0, n1) whose targets fall in the held-out tail [n_fit, n_train) of the train part.

    direct: targets x(n + H) inside the tail, so n in [n_fit - H, n_train - H) (inputs may overlap what
    training saw, targets never); autoregressive: teacher-forced up to n_fit, then free-running over the tail.
    """
    n_fit = fit_samples(n_train, val_fraction)
    if n_fit == n_train:
        raise ParameterError("no validation split: val_fraction is 0")
    h = horizon_of(protocol, horizon)
    return (n_fit - h, n_train - h) if protocol == "direct" else (n_fit, n_train)


def max_start(n_train: int, h: int, window: int) -> int:
    last = n_train - window - h
    if last < 0:
        raise ParameterError(f"window {window} + horizon {h} exceed the {n_train} train samples")
    return last
