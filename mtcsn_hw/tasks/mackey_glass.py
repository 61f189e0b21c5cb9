"""Mackey-Glass series with NeuroBench's parameters, from our own DDE integrator.

    dx/dt = beta x(t - tau) / (1 + x(t - tau)^n) - gamma x(t),   x(t <= 0) = 0.7206597

Integrator: classic RK4 on a grid h = tau / m (so the history's derivative breaks at t = k tau fall on
grid points). The delayed value at a half step comes from the cubic Hermite interpolant of the
already-computed solution (values and derivatives on the grid), which is 4th-order like RK4 itself.
Because the delayed term is known for a whole delay interval once the previous interval is done, and
the instantaneous part -gamma x is linear, one RK4 step is x+ = R x + c_k with c_k computed for a
whole interval at once and the recurrence run by `scipy.signal.lfilter`: identical to stepping RK4 one
step at a time, but vectorised. Samples between grid points use the same Hermite interpolant.

NeuroBench sampling: Lyapunov time 197, 75 samples per Lyapunov time (spacing 197/75), 10 Lyapunov
times train, 10 test, starting at t = start_offset samples.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from scipy.signal import lfilter

from mtcsn_hw.errors import ParameterError

TAU, BETA, GAMMA, N_EXP, HISTORY = 17.0, 0.2, 0.1, 10.0, 0.7206597
LYAPUNOV_TIME, SAMPLES_PER_LYAPUNOV = 197.0, 75
SAMPLE_DT = LYAPUNOV_TIME / SAMPLES_PER_LYAPUNOV
# h = 0.01: over the first 10 Lyapunov times the samples agree with h = 0.005 to ~1e-8. Later on, chaos
# (and float64 rounding) amplify any difference ~e^t/197-fold, so a series is only reproducible by
# storing it: every run stores its series (data.npz).
DEFAULT_STEPS_PER_TAU = 1700


@dataclass
class DenseSolution:
    """Grid values x and derivatives f at t = k h; `__call__` interpolates (cubic Hermite)."""

    h: float
    x: np.ndarray
    f: np.ndarray

    def __call__(self, t) -> np.ndarray:
        t = np.asarray(t, dtype=float)
        if np.any(t < 0) or np.any(t > self.h * (len(self.x) - 1) + 1e-9 * self.h):
            raise ParameterError("interpolation time outside the integrated interval")
        k = np.minimum(np.floor(t / self.h).astype(int), len(self.x) - 2)
        s = t / self.h - k
        x0, x1, f0, f1 = self.x[k], self.x[k + 1], self.f[k] * self.h, self.f[k + 1] * self.h
        h00, h10 = 2 * s**3 - 3 * s**2 + 1, s**3 - 2 * s**2 + s
        h01, h11 = -2 * s**3 + 3 * s**2, s**3 - s**2
        return h00 * x0 + h10 * f0 + h01 * x1 + h11 * f1


def integrate(t_end: float, steps_per_tau: int = DEFAULT_STEPS_PER_TAU, tau: float = TAU, beta: float = BETA,
              gamma: float = GAMMA, n: float = N_EXP, history: float = HISTORY) -> DenseSolution:
    """RK4 solution of the Mackey-Glass DDE on [0, t_end] with constant history."""
    if not (t_end > 0 and steps_per_tau >= 2 and tau > 0):
        raise ParameterError("need t_end > 0, steps_per_tau >= 2, tau > 0")
    m = int(steps_per_tau)
    h = tau / m
    blocks = math.ceil(t_end / tau)
    x = np.empty(blocks * m + 1)
    f = np.empty(blocks * m + 1)

    def drive(xd):
        return beta * xd / (1.0 + xd**n)

    z = h * gamma
    # RK4 for dx/dt = g(t) - gamma x: x+ = R x + h/6 (k1 + 2k2 + 2k3 + k4) evaluated at x = 0
    R = 1 - z + z**2 / 2 - z**3 / 6 + z**4 / 24
    x[0] = history
    f[0] = drive(history) - gamma * history  # right derivative at t = 0
    for b in range(blocks):
        lo = b * m
        if b == 0:  # the delayed argument is in the constant history
            xd0 = xd1 = xdm = np.full(m, history)
        else:
            xd0, xd1 = x[lo - m:lo], x[lo - m + 1:lo + 1]
            fd0, fd1 = f[lo - m:lo], f[lo - m + 1:lo + 1]
            xdm = 0.5 * (xd0 + xd1) + h * (fd0 - fd1) / 8
        g0, gm, g1 = drive(xd0), drive(xdm), drive(xd1)
        k1 = g0
        k2 = gm - 0.5 * z * k1
        k3 = gm - 0.5 * z * k2
        k4 = g1 - z * k3
        c = h / 6 * (k1 + 2 * k2 + 2 * k3 + k4)
        x[lo + 1:lo + m + 1], _ = lfilter([1.0], [1.0, -R], c, zi=[R * x[lo]])
        # derivative at the new grid points: the delayed argument sits one interval back
        f[lo + 1:lo + m + 1] = drive(xd1) - gamma * x[lo + 1:lo + m + 1]
    return DenseSolution(h=h, x=x, f=f)


@dataclass
class MackeyGlassSeries:
    """A sampled series and its split. x[:n_train] is train, x[n_train:n_train + n_test] test; extra
    points after the test part exist only as targets for direct forecasts."""

    t: np.ndarray
    x: np.ndarray
    n_train: int
    n_test: int
    sample_dt: float

    def to_arrays(self) -> dict:
        return {"t": self.t, "x": self.x, "n_train": np.array(self.n_train), "n_test": np.array(self.n_test),
                "sample_dt": np.array(self.sample_dt)}

    @classmethod
    def from_arrays(cls, d) -> MackeyGlassSeries:
        return cls(t=np.asarray(d["t"], float), x=np.asarray(d["x"], float), n_train=int(d["n_train"]),
                   n_test=int(d["n_test"]), sample_dt=float(d["sample_dt"]))


def neurobench_series(train_lyap: float = 10, test_lyap: float = 10, extra: int = 0, start_offset: int = 0,
                      steps_per_tau: int = DEFAULT_STEPS_PER_TAU) -> MackeyGlassSeries:
    """The NeuroBench sampling; `extra` more samples after the test part (targets for H-step forecasts)."""
    n_train = round(train_lyap * SAMPLES_PER_LYAPUNOV)
    n_test = round(test_lyap * SAMPLES_PER_LYAPUNOV)
    total = n_train + n_test + max(int(extra), 1)
    t = (start_offset + np.arange(total)) * SAMPLE_DT
    sol = integrate(t[-1] + SAMPLE_DT, steps_per_tau)
    return MackeyGlassSeries(t=t, x=sol(t), n_train=n_train, n_test=n_test, sample_dt=SAMPLE_DT)
