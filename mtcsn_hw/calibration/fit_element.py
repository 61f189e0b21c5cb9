"""One element's DC transfer curve fitted to  i(v) = a tanh((v - d) / s) + c  (model units).

a is the effective alpha (gain), d the effective delta (offset), s the slope factor (1 for an ideal OTA:
a kappa ratio) and c a constant output current (output-mirror asymmetry: the two saturation levels differ).
RMSEs are fractions of the element's full scale 2|alpha_nominal|: raw against the nominal law, and of the
fit's residual.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass

import numpy as np
from scipy.optimize import least_squares

from mtcsn_hw.errors import ParameterError

SLOPE_BOUNDS = (0.2, 5.0)


@dataclass(frozen=True)
class ElementFit:
    a: float
    d: float
    s: float
    c: float
    rmse_raw: float      # nominal law vs measurement, fraction of 2|alpha_nominal|
    rmse_fit: float      # fitted law vs measurement, same scale
    alpha_model: float   # the model's form (s = 1) fitted to the same curve: what the twin takes
    delta_model: float
    c_model: float
    rmse_model: float

    def current(self, v):
        return self.a * np.tanh((np.asarray(v, float) - self.d) / self.s) + self.c

    def to_dict(self) -> dict:
        return asdict(self)


def law(p, v):
    a, d, s, c = p
    return a * np.tanh((v - d) / s) + c


def _jacobian(p, v, _i):
    a, d, s, _c = p
    th = np.tanh((v - d) / s)
    sech2 = 1.0 - th * th
    return np.stack([th, -a * sech2 / s, -a * sech2 * (v - d) / (s * s), np.ones_like(v)], axis=1)


def initial_guess(v: np.ndarray, i: np.ndarray) -> np.ndarray:
    """Levels from the extremes, sign from the trend, centre where the curve crosses mid-level, slope from the
    steepest secant."""
    lo, hi = float(i.min()), float(i.max())
    c0 = 0.5 * (lo + hi)
    sign = 1.0 if np.polyfit(v, i, 1)[0] >= 0 else -1.0
    a0 = sign * 0.5 * (hi - lo)
    rel = sign * (i - c0)
    up = np.nonzero((rel[:-1] < 0) & (rel[1:] >= 0))[0]
    if up.size:
        k = up[0]
        d0 = v[k] + (v[k + 1] - v[k]) * (-rel[k]) / (rel[k + 1] - rel[k])
    else:
        d0 = float(v[np.argmin(np.abs(rel))])
    steepest = float(np.max(np.abs(np.diff(i) / np.diff(v))))
    s0 = float(np.clip(abs(a0) / steepest, *SLOPE_BOUNDS)) if steepest > 0 else 1.0
    return np.array([a0, d0, s0, c0])


def fit_element(name: str, v, current, alpha_nominal: float, delta_nominal: float) -> ElementFit:
    """Least-squares fit of one element's sweep; ParameterError for a curve that cannot be fitted."""
    v = np.asarray(v, dtype=float)
    i = np.asarray(current, dtype=float)
    if v.shape != i.shape or v.ndim != 1 or v.size < 5:
        raise ParameterError(f"element {name!r}: need matching 1-D v and current with >= 5 points")
    if not (np.isfinite(v).all() and np.isfinite(i).all()):
        raise ParameterError(f"element {name!r}: the sweep contains non-finite values")
    if not alpha_nominal:
        raise ParameterError(f"element {name!r}: nominal alpha must be nonzero")
    scale = 2.0 * abs(float(alpha_nominal))
    if np.ptp(i) < 1e-6 * scale:
        raise ParameterError(f"element {name!r}: the measured curve is flat (no tanh to fit)")
    p0 = initial_guess(v, i)
    span = float(v[-1] - v[0])
    bounds = ([-np.inf, v[0] - span, SLOPE_BOUNDS[0], -np.inf], [np.inf, v[-1] + span, SLOPE_BOUNDS[1], np.inf])
    p0[1] = np.clip(p0[1], v[0], v[-1])
    res = least_squares(lambda p: law(p, v) - i, p0, jac=lambda p: _jacobian(p, v, i), bounds=bounds,
                        x_scale=[abs(p0[0]), 1.0, 1.0, abs(p0[0])], method="trf")
    a, d, s, c = (float(x) for x in res.x)
    if not (v[0] <= d <= v[-1]):
        raise ParameterError(f"element {name!r}: the fitted centre {d:.3g} lies outside the sweep "
                             f"[{v[0]:.3g}, {v[-1]:.3g}]; widen the sweep")
    raw = float(np.sqrt(np.mean((i - alpha_nominal * np.tanh(v - delta_nominal)) ** 2)) / scale)
    fit = float(np.sqrt(np.mean(res.fun ** 2)) / scale)
    model = least_squares(lambda p: law((p[0], p[1], 1.0, p[2]), v) - i, [a, d, c],
                          x_scale=[abs(a), 1.0, abs(a)], method="lm")
    am, dm, cm = (float(x) for x in model.x)
    return ElementFit(a, d, s, c, raw, fit, am, dm, cm, float(np.sqrt(np.mean(model.fun ** 2)) / scale))
