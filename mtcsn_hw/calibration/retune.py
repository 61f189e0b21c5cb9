"""Bias re-tuning (calibration step 3b): measure -> fit -> correct the knobs, until the chip's I-V error (fast,
slow and ultra-slow curves, iv_error "all") is within tolerance or the iterations run out. Every iteration is
recorded.

The step is Newton-like, per element and per filter, on the laws the knobs obey to first order:
    ln|a| = e ln I_b + const        (e = 1 for an OTA whose gain is its bias)
    d     = k V_ref / V0 + const    (k = 1: the reference shifts the centre one to one)
    c     = rho |a| + t I_trim / I0 (the mirror's imbalance scales with the bias; t = 1)
    ln tau = -e_tau ln I_tau + const
    g_leak                          (exact, a programmable resistor: the value that best takes back the
                                     OTAs' output conductances over the I-V curves, see _leak)
starting from the nominal slopes and re-estimated from consecutive fits (secants, clipped to [0.5, 2] x
nominal), damped and with a bounded step. `measure(knobs) -> Measurements` is passed in, so the loop does
not care whether a SPICE bench or a synthetic chip answers.
"""
from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import asdict, dataclass, field, replace

import numpy as np
from scipy.optimize import minimize_scalar

from mtcsn_hw.calibration.iv_error import iv_error
from mtcsn_hw.calibration.knobs import ElementKnobs, Knobs, amps, filter_of
from mtcsn_hw.calibration.measurements import Measurements
from mtcsn_hw.calibration.tolerances import IV_RMSE_MAX
from mtcsn_hw.calibration.twin import fit_elements
from mtcsn_hw.circuit.mapping import Units
from mtcsn_hw.errors import ParameterError
from mtcsn_hw.model.params import NeuronParams

SLOPE_CLIP = (0.5, 2.0)
LEAK_CLIP = (0.25, 4.0)   # the programmable leak's range, times the target's g


@dataclass(frozen=True)
class RetuneSettings:
    tol: float = IV_RMSE_MAX      # I-V error (worst of the fast, slow and ultra-slow curves, fraction of full scale)
    guard: float = 0.5            # the loop aims at guard x tol (a guard band inside the tolerance) before it stops
    max_iter: int = 10            # corrections at most
    damping: float = 0.9          # fraction of the Newton step taken
    trim: bool = True             # use the per-element trim current
    max_log_bias_step: float = 0.7
    max_ref_step: float = 1.0     # model voltage units
    stall: float = 0.01           # stop when two corrections in a row improve the error by less than this fraction


@dataclass
class Slopes:
    """Current estimates of d(fit)/d(knob) for one element (secant updates): d ln|a| / d ln I_b,
    d d / d (V_ref / V0), d c / d (I_trim / I0)."""

    gain: float = 1.0
    offset: float = 1.0
    trim: float = 1.0


@dataclass
class RetuneResult:
    knobs: Knobs
    history: list = field(default_factory=list)
    iterations: int = 0
    converged: bool = False
    measurements: Measurements | None = None
    fits: dict | None = None
    chosen: int = 0       # the iteration whose knobs the loop ended on (its best)

    @property
    def iv_error(self) -> float:
        """The reported I-V error (worst of fast and slow) of the knobs the loop ended on."""
        return self.history[self.chosen]["iv_error"]["worst"]

    def to_dict(self) -> dict:
        return {"iterations": self.iterations, "converged": self.converged, "chosen": self.chosen,
                "history": self.history,
                "biases": self.knobs.to_dict()}


def _secant(old: float, d_out: float, d_in: float, nominal: float = 1.0) -> float:
    if abs(d_in) < 1e-4:
        return old
    lo, hi = SLOPE_CLIP
    return float(np.clip(d_out / d_in, lo * nominal, hi * nominal))


class _Tuner:
    def __init__(self, target: NeuronParams, units: Units, settings: RetuneSettings):
        self.target, self.units, self.s = target, units, settings
        self.tags = filter_of(target)
        self.slopes = {e.name: Slopes() for e in target.elements}
        self.filter_slopes = {t: 1.0 for t in sorted({t for t in self.tags.values() if t})}  # -d ln tau / d ln I_tau
        self.prev = None

    def _state(self, knobs: Knobs, fits: dict, taus: dict) -> dict:
        u = self.units
        el = {n: (math.log(k.i_b), float(u.to_model_v(k.v_ref)), float(u.to_model_i(k.i_trim)),
                  math.log(abs(fits[n].a)), fits[n].d, fits[n].c) for n, k in knobs.elements.items()}
        fl = {t: (math.log(knobs.filters[t]), math.log(taus[t])) for t in self.filter_slopes}
        return {"elements": el, "filters": fl}

    def learn(self, state: dict) -> None:
        if self.prev is not None:
            for n, (lb, vr, tr, la, d, c) in state["elements"].items():
                plb, pvr, ptr, pla, pd, pc = self.prev["elements"][n]
                sl = self.slopes[n]
                sl.gain = _secant(sl.gain, la - pla, lb - plb)
                sl.offset = _secant(sl.offset, d - pd, vr - pvr)
                if abs(lb - plb) < 1e-3:
                    sl.trim = _secant(sl.trim, c - pc, tr - ptr)
            for t, (li, lt) in state["filters"].items():
                pli, plt = self.prev["filters"][t]
                self.filter_slopes[t] = _secant(self.filter_slopes[t], -(lt - plt), li - pli)
        self.prev = state

    def correct(self, knobs: Knobs, fits: dict, taus: dict) -> Knobs:
        s, u = self.s, self.units
        out = Knobs(dict(knobs.elements), dict(knobs.filters), self._leak(knobs, fits))
        for e in self.target.elements:
            k, f, sl = knobs.elements[e.name], fits[e.name], self.slopes[e.name]
            step_b = np.clip(s.damping * math.log(abs(float(e.alpha)) / abs(f.a)) / sl.gain,
                             -s.max_log_bias_step, s.max_log_bias_step)
            step_r = np.clip(s.damping * (float(e.delta) - f.d) / sl.offset, -s.max_ref_step, s.max_ref_step)
            i_trim = k.i_trim
            if s.trim:
                trim_model = float(u.to_model_i(k.i_trim))
                rho = (f.c - sl.trim * trim_model) / abs(f.a)
                a_next = abs(f.a) * math.exp(sl.gain * step_b)
                wanted = -rho * a_next / sl.trim
                i_trim = amps(u, trim_model + s.damping * (wanted - trim_model))
            out.elements[e.name] = ElementKnobs(k.i_b * math.exp(step_b),
                                                u.volt(float(u.to_model_v(k.v_ref)) + step_r), i_trim)
        for t, fs in self.filter_slopes.items():
            tau_target = next(float(e.tau) for e in self.target.elements if self.tags[e.name] == t)
            step = s.damping * math.log(taus[t] / tau_target) / fs
            out.filters[t] = knobs.filters[t] * math.exp(float(np.clip(step, -s.max_log_bias_step,
                                                                       s.max_log_bias_step)))
        return out

    def _leak(self, knobs: Knobs, fits: dict) -> float | None:
        """The leak (exact: a programmable resistor) that best flattens the I-V error once the elements reach
        their targets: the fits with a, d and c at target, their slopes and output pulls as measured."""
        if knobs.r_leak is None:
            return None
        g, u = float(self.target.g), self.units
        tuned = {e.name: replace(fits[e.name], a=float(e.alpha), d=float(e.delta), c=0.0)
                 for e in self.target.elements}
        best = minimize_scalar(lambda x: iv_error(self.target, tuned, g_leak=x)["all"],
                               bounds=(LEAK_CLIP[0] * g, LEAK_CLIP[1] * g), method="bounded",
                               options={"xatol": 1e-4 * g})
        now = knobs.leak_g(self.target, u)
        return u.v0 / ((now + self.s.damping * (float(best.x) - now)) * u.i0)


def _record(k: int, knobs: Knobs, fits: dict, taus: dict, errors: dict, tuner: _Tuner) -> dict:
    """One iteration: the knobs measured, what the fits made of them, the error, and the sensitivities the
    correction from here will use."""
    return {"iteration": k, "biases": knobs.to_dict(), "iv_error": errors,
            "elements": {n: f.to_dict() for n, f in fits.items()}, "filters": dict(taus),
            "sensitivities": {"elements": {n: asdict(s) for n, s in tuner.slopes.items()},
                              "filters": dict(tuner.filter_slopes)}}


def retune(target: NeuronParams, measure: Callable[[Knobs], Measurements], knobs: Knobs, units: Units,
           settings: RetuneSettings | None = None) -> RetuneResult:
    settings = settings or RetuneSettings()
    if settings.max_iter < 0 or not (0 < settings.damping <= 1) or settings.tol <= 0 or not 0 < settings.guard <= 1:
        raise ParameterError("retune settings: need max_iter >= 0, 0 < damping <= 1, tol > 0 and 0 < guard <= 1")
    tuner = _Tuner(target, units, settings)
    result = RetuneResult(knobs)
    tried = []   # (error, knobs, measurements, fits, within tolerance) of every iteration
    for k in range(settings.max_iter + 1):
        meas = measure(knobs)
        fits = fit_elements(target, meas)
        taus = {t: meas.filters[t] for t in tuner.filter_slopes}
        errors = iv_error(target, fits, g_leak=knobs.leak_g(target, units))
        tuner.learn(tuner._state(knobs, fits, taus))
        result.history.append(_record(k, knobs, fits, taus, errors, tuner))
        result.iterations = k
        within = errors["all"] <= settings.tol and _taus_ok(target, tuner.tags, taus, settings.tol)
        tried.append((errors["all"], knobs, meas, fits, within))
        aim = settings.guard * settings.tol
        if errors["all"] <= aim and _taus_ok(target, tuner.tags, taus, aim):
            break
        if k == settings.max_iter or _stalled(result.history, settings.stall):
            break
        knobs = tuner.correct(knobs, fits, taus)
    # past the tolerance the loop keeps going toward the guard band; it ends on its best iteration
    result.chosen = min(range(len(tried)), key=lambda i: (not tried[i][4], tried[i][0]))
    _, result.knobs, result.measurements, result.fits, result.converged = tried[result.chosen]
    return result


def _stalled(history: list, fraction: float) -> bool:
    errs = [h["iv_error"]["all"] for h in history[-3:]]
    return len(errs) == 3 and errs[2] > (1 - fraction) * errs[1] and errs[1] > (1 - fraction) * errs[0]


def _taus_ok(target: NeuronParams, tags: dict, taus: dict, tol: float) -> bool:
    for e in target.elements:
        if tags[e.name] and abs(taus[tags[e.name]] / float(e.tau) - 1) > tol:
            return False
    return True
