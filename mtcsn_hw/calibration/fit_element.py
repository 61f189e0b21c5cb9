"""One element's DC transfer curve fitted to (model units)

    i(v_in, v_out) = a tanh((v_in - d + sign(a) pull v_out) / s) + c + g_out v_out

a is the effective alpha (gain), d the effective delta (offset), s the slope factor (1 for an ideal OTA:
a kappa ratio), c a constant output current (output-mirror asymmetry: the two saturation levels differ).
pull and g_out are the output's effect: in the neuron the OTA's output is the membrane, and a finite-gain pair sees
its output voltage as an input offset (pull, about 1/gain: a conductance strongest at balance, gone in
saturation) besides a plain output conductance g_out. The main sweep moves input and output together; the
held sweep (input at the neuron's rest, output moving) separates pull from s and d. Without a held sweep pull is 0.
RMSEs are fractions of the element's full scale 2|alpha_nominal|: raw against the nominal law, and of the
fit's residual over the main sweep.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass

import numpy as np
from scipy.optimize import least_squares

from mtcsn_hw.errors import ParameterError

SLOPE_BOUNDS = (0.2, 5.0)
PULL_BOUNDS = (-0.5, 0.5)


@dataclass(frozen=True)
class ElementFit:
    a: float
    d: float
    s: float
    c: float
    rmse_raw: float      # nominal law vs measurement, fraction of 2|alpha_nominal|
    rmse_fit: float      # fitted law vs measurement, same scale
    alpha_model: float   # the model's form (s = 1) fitted to the same curves: what the twin takes
    delta_model: float
    c_model: float
    rmse_model: float
    g_out: float = 0.0   # output conductance (model units)
    pull: float = 0.0    # the output's pull on the input pair (dimensionless, ~ 1 / voltage gain)
    g_out_model: float = 0.0
    pull_model: float = 0.0

    def current(self, v, v_out=None):
        """The element's current with its input at v and its output at v_out (default: v, as in the sweep)."""
        v = np.asarray(v, float)
        return law((self.a, self.d, self.s, self.c, self.g_out, self.pull), v, v if v_out is None else v_out)

    def conductance(self, v_in: float) -> float:
        """d current / d v_out with the input held at v_in: what the element adds to the membrane's leak."""
        z = (v_in - self.d) / self.s
        return self.g_out + abs(self.a) * self.pull / self.s / np.cosh(z) ** 2

    def model_conductance(self, v_in: float) -> float:
        return self.g_out_model + abs(self.alpha_model) * self.pull_model / np.cosh(v_in - self.delta_model) ** 2

    def to_dict(self) -> dict:
        return asdict(self)


def law(p, v_in, v_out):
    a, d, s, c, g_out, pull = p
    v_out = np.asarray(v_out, float)
    return a * np.tanh((np.asarray(v_in, float) - d + np.sign(a) * pull * v_out) / s) + c + g_out * v_out


def _jacobian(p, v_in, v_out) -> np.ndarray:
    """Columns d/d(a, d, s, c, g_out, pull)."""
    a, d, s, _c, _g, pull = p
    z = (v_in - d + np.sign(a) * pull * v_out) / s
    th = np.tanh(z)
    sech2 = 1.0 - th * th
    return np.stack([th, -a * sech2 / s, -a * sech2 * z / s, np.ones_like(z), v_out, abs(a) * sech2 * v_out / s],
                    axis=1)


def initial_guess(v: np.ndarray, i: np.ndarray) -> np.ndarray:
    """Levels from the extremes, sign from the trend, centre where the curve crosses mid-level, slope from the
    steepest secant; no pull."""
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
    return np.array([a0, d0, s0, c0, 0.0, 0.0])


class _Data:
    """The sweeps stacked: inputs, outputs, currents."""

    def __init__(self, v, i, held):
        self.n_main = v.size
        if held is None:
            self.v_in, self.v_out, self.i = v, v, i
        else:
            hv = held["v"]
            self.v_in = np.concatenate([v, np.full(hv.size, float(held["v_in"]))])
            self.v_out = np.concatenate([v, hv])
            self.i = np.concatenate([i, held["current"]])

    def solve(self, p0, free, lower, upper, x_scale):
        """Least squares over the free parameters (a boolean mask over a, d, s, c, g_out, pull)."""
        free = np.asarray(free)
        p = np.array(p0, float)

        def full(x):
            q = p.copy()
            q[free] = x
            return q

        res = least_squares(lambda x: law(full(x), self.v_in, self.v_out) - self.i, p[free],
                            jac=lambda x: _jacobian(full(x), self.v_in, self.v_out)[:, free],
                            bounds=(np.asarray(lower)[free], np.asarray(upper)[free]),
                            x_scale=np.asarray(x_scale)[free], method="trf")
        return full(res.x), res.fun[: self.n_main]


def _check(name: str, v, i, alpha_nominal) -> None:
    if v.shape != i.shape or v.ndim != 1 or v.size < 5:
        raise ParameterError(f"element {name!r}: need matching 1-D v and current with >= 5 points")
    if not (np.isfinite(v).all() and np.isfinite(i).all()):
        raise ParameterError(f"element {name!r}: the sweep contains non-finite values")
    if not alpha_nominal:
        raise ParameterError(f"element {name!r}: nominal alpha must be nonzero")
    if np.ptp(i) < 1e-6 * 2.0 * abs(float(alpha_nominal)):
        raise ParameterError(f"element {name!r}: the measured curve is flat (no tanh to fit)")


def fit_element(name: str, v, current, alpha_nominal: float, delta_nominal: float,
                held: dict | None = None) -> ElementFit:
    """Least-squares fit of one element's sweep (and held sweep); ParameterError for a curve that cannot be
    fitted."""
    v = np.asarray(v, dtype=float)
    i = np.asarray(current, dtype=float)
    _check(name, v, i, alpha_nominal)
    scale = 2.0 * abs(float(alpha_nominal))
    data = _Data(v, i, held)
    p0 = initial_guess(v, i)
    span = float(v[-1] - v[0])
    p0[1] = np.clip(p0[1], v[0], v[-1])
    lower = [-np.inf, v[0] - span, SLOPE_BOUNDS[0], -np.inf, -np.inf, PULL_BOUNDS[0]]
    upper = [np.inf, v[-1] + span, SLOPE_BOUNDS[1], np.inf, np.inf, PULL_BOUNDS[1]]
    x_scale = [abs(p0[0]), 1.0, 1.0, abs(p0[0]), abs(p0[0]) / span, 0.01]
    with_pull = held is not None
    p, fun = data.solve(p0, [True, True, True, True, True, with_pull], lower, upper, x_scale)
    a, d, s, c, g_out, pull = (float(x) for x in p)
    if not (v[0] <= d <= v[-1]):
        raise ParameterError(f"element {name!r}: the fitted centre {d:.3g} lies outside the sweep "
                             f"[{v[0]:.3g}, {v[-1]:.3g}]; widen the sweep")
    raw = float(np.sqrt(np.mean((i - alpha_nominal * np.tanh(v - delta_nominal)) ** 2)) / scale)
    fit = float(np.sqrt(np.mean(fun ** 2)) / scale)
    m, mfun = data.solve(np.array([a, d, 1.0, c, g_out, pull]), [True, True, False, True, True, with_pull],
                         lower, upper, x_scale)
    return ElementFit(a, d, s, c, raw, fit, float(m[0]), float(m[1]), float(m[3]),
                      float(np.sqrt(np.mean(mfun ** 2)) / scale), g_out, pull, float(m[4]),
                      float(m[5]))
