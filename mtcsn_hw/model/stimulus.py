"""Seeded fluctuating input currents for driven protocols (model units)."""
from __future__ import annotations

import math

import numpy as np
from scipy.signal import lfilter

from mtcsn_hw.errors import ParameterError


def ou_current(t_end: float, dt: float, mean: float, sigma: float, tau: float, seed: int) -> np.ndarray:
    """An Ornstein-Uhlenbeck current, one value per step of dt over [0, t_end): exact discretisation.

    x[n+1] = mean + (x[n] - mean) e^(-dt/tau) + sigma sqrt(1 - e^(-2 dt/tau)) xi[n], x[0] ~ N(mean, sigma^2),
    so its stationary standard deviation is sigma and its autocorrelation time tau. The same seed gives the
    same current on any machine (numpy's PCG64).
    """
    for name, value in (("t_end", t_end), ("dt", dt), ("tau", tau)):
        if not (isinstance(value, (int, float)) and math.isfinite(value) and value > 0):
            raise ParameterError(f"OU stimulus: {name} must be a positive number, got {value!r}")
    if not (math.isfinite(mean) and math.isfinite(sigma) and sigma >= 0):
        raise ParameterError(f"OU stimulus: mean must be finite and sigma >= 0, got {mean!r}, {sigma!r}")
    steps = int(round(t_end / dt))
    rng = np.random.default_rng(int(seed))
    decay = math.exp(-dt / tau)
    noise = rng.standard_normal(steps) * sigma * math.sqrt(1.0 - decay * decay)
    start = sigma * rng.standard_normal()
    # the AR(1) recursion y[n] = decay y[n-1] + u[n] as one linear filter, y[0] = start
    return mean + lfilter([1.0], [1.0, -decay], np.concatenate([[start], noise[:-1]])[:steps])
