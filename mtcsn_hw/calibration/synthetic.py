"""A synthetic, physically shaped chip: the target neuron with seeded per-element errors, measured in model
units by closed-form laws and the same discrete map as the model. A pure function of (target, draws, knobs),
used to test and document the calibration loop without SPICE.

Element x under knobs (I_b, V_ref, I_trim), with r = I_b / I_b,nominal:
    a = sign(alpha) gain |alpha| r^(1 + e),  d = V_ref (model units) + offset,  s = slope,
    c = asymmetry |a| + I_trim (model units)      (the mirror's imbalance is a fraction of the bias)
    g_out = conductance |a|                      (output conductance: the bias over an Early voltage)
and its current a tanh((V_x - d)/s) + c + g_out V (V: the membrane, where its output sits). Filter x:
tau = tau_nominal * error * I_tau,nominal / I_tau. The membrane's leak is the knobs' (r_leak).
"""
from __future__ import annotations

import math
import zlib
from dataclasses import dataclass, field

import numpy as np
from scipy.optimize import brentq

from mtcsn_hw.calibration.chip_bench import rest_of
from mtcsn_hw.calibration.fit_element import law as element_law
from mtcsn_hw.calibration.knobs import Knobs, filter_of, nominal_knobs
from mtcsn_hw.calibration.measurements import ElementSweep, Measurements, Run, stimulus_current
from mtcsn_hw.circuit.compare import upward_crossings
from mtcsn_hw.circuit.mapping import Units
from mtcsn_hw.model.neuron import DEFAULT_KICK
from mtcsn_hw.model.params import NeuronParams


@dataclass(frozen=True)
class Spread:
    """Standard deviations of the per-device errors."""

    gain: float = 0.076          # relative, per element (bias reference and pair beta)
    offset: float = 0.075        # model units, per element (5.5 mV input offset / V0)
    slope: float = 0.02          # relative, per element (kappa ratio, output conductance)
    asymmetry: float = 0.05      # constant output current as a fraction of |a|, per element
    exponent: float = 0.03       # alpha ~ I_b^(1 + e): the bias-to-gain law is not exactly linear
    tau: float = 0.076           # relative, per filter
    conductance: float = 0.0     # output conductance as a fraction of |a| (systematic, not drawn)

    def scaled(self, k: float) -> Spread:
        return Spread(*(k * getattr(self, f) for f in self.__dataclass_fields__))


@dataclass(frozen=True)
class ElementDraw:
    gain: float
    offset: float
    slope: float
    asymmetry: float
    exponent: float
    conductance: float = 0.0


@dataclass(frozen=True)
class ChipDraws:
    elements: dict                 # name -> ElementDraw
    filters: dict                  # tag -> tau error factor

    @classmethod
    def draw(cls, target: NeuronParams, spread: Spread, seed: int) -> ChipDraws:
        """Each device's stream comes from (seed, device name), never from call order."""
        elements = {}
        for e in target.elements:
            z = _rng(seed, e.name).standard_normal(5)
            elements[e.name] = ElementDraw(1 + spread.gain * z[0], spread.offset * z[1], 1 + spread.slope * z[2],
                                           spread.asymmetry * z[3], spread.exponent * z[4], spread.conductance)
        tags = sorted({t for t in filter_of(target).values() if t})
        filters = {t: float(1 + spread.tau * _rng(seed, f"filter/{t}").standard_normal()) for t in tags}
        return cls(elements, filters)

    @classmethod
    def ideal(cls, target: NeuronParams) -> ChipDraws:
        tags = sorted({t for t in filter_of(target).values() if t})
        return cls({e.name: ElementDraw(1.0, 0.0, 1.0, 0.0, 0.0) for e in target.elements}, dict.fromkeys(tags, 1.0))


def _rng(seed: int, name: str) -> np.random.Generator:
    return np.random.default_rng([int(seed), zlib.crc32(name.encode())])


@dataclass(frozen=True)
class Law:
    a: float
    d: float
    s: float
    c: float
    g_out: float = 0.0

    def current(self, v, v_out=None):
        """fit_element's law with no pull: input at v, output at v_out (default v)."""
        return element_law((self.a, self.d, self.s, self.c, self.g_out, 0.0), v, v if v_out is None else v_out)


@dataclass
class SyntheticChip:
    target: NeuronParams
    draws: ChipDraws
    units: Units
    runs: dict = field(default_factory=dict)          # run name -> stimulus recipe
    v_sweep: np.ndarray = field(default_factory=lambda: np.linspace(-4.0, 4.0, 161))
    record_v: float = 0.0                             # how long a stretch of each run's voltage to record
    v_dt: float = 1.0
    noise: float = 0.0                                # sweep current noise, fraction of 2|alpha| (seeded)
    seed: int = 0

    def __post_init__(self):
        self.nominal = nominal_knobs(self.target, self.units)
        self.rest = rest_of(self.target)   # where the held sweeps hold the inputs
        self._calls = []                                   # every knob setting measured, in order

    def laws(self, knobs: Knobs) -> dict:
        out = {}
        for e in self.target.elements:
            k, k0, dr = knobs.elements[e.name], self.nominal.elements[e.name], self.draws.elements[e.name]
            ratio = k.i_b / k0.i_b
            a = math.copysign(dr.gain * abs(float(e.alpha)) * ratio ** (1 + dr.exponent), float(e.alpha))
            d = float(self.units.to_model_v(k.v_ref)) + dr.offset
            c = dr.asymmetry * abs(a) + float(self.units.to_model_i(k.i_trim))
            out[e.name] = Law(a, d, dr.slope, c, dr.conductance * abs(a))
        return out

    def taus(self, knobs: Knobs) -> dict:
        tags = filter_of(self.target)
        tau_of = {tags[e.name]: float(e.tau) for e in self.target.elements if tags[e.name]}
        return {t: tau_of[t] * self.draws.filters[t] * self.nominal.filters[t] / knobs.filters[t]
                for t in self.draws.filters}

    def measure(self, knobs: Knobs) -> Measurements:
        laws, taus = self.laws(knobs), self.taus(knobs)
        sweeps = {}
        for e in self.target.elements:
            i = laws[e.name].current(self.v_sweep)
            if self.noise > 0:
                rng = _rng(self.seed, f"noise/{e.name}/{len(self._calls)}")
                i = i + self.noise * 2 * abs(float(e.alpha)) * rng.standard_normal(i.size)
            held = {"v_in": self.rest, "v": self.v_sweep, "current": laws[e.name].current(self.rest, self.v_sweep)}
            sweeps[e.name] = ElementSweep(self.v_sweep, i, held)
        self._calls.append(knobs)
        runs = {name: self.run(spec, laws, taus, knobs.leak_g(self.target, self.units))
                for name, spec in self.runs.items()}
        return Measurements(sweeps, taus, runs)

    def run(self, spec: dict, laws: dict, taus: dict, g_leak: float | None = None) -> Run:
        drive = stimulus_current(spec, float(self.target.i_app))
        tags = filter_of(self.target)
        element_taus = [taus[tags[e.name]] if tags[e.name] else 0.0 for e in self.target.elements]
        v = chip_trajectory([laws[e.name] for e in self.target.elements], element_taus, self.target, drive,
                            spec["dt"], g=g_leak)
        t = np.arange(v.size) * spec["dt"]
        spikes = upward_crossings(t, v, 0.0)
        if self.record_v <= 0:
            return Run(spec, spikes)
        stride = max(1, int(round(self.v_dt / spec["dt"])))
        n = int(round(self.record_v / spec["dt"]))
        return Run(spec, spikes, v[: n + 1: stride], stride * spec["dt"])


def resting_voltage(laws: list, g: float, e_rev: float, i_app: float) -> float:
    """Lowest V where the steady-state current g (V - e_rev) + sum of element currents equals i_app."""
    def net(v):
        return g * (v - e_rev) + sum(law.current(v) for law in laws) - i_app

    grid = np.linspace(-10.0, 10.0, 2001)
    f = net(grid)
    up = np.nonzero((f[:-1] < 0) & (f[1:] >= 0))[0]
    if not up.size:
        return float(grid[0] if f[0] >= 0 else grid[-1])
    return float(brentq(net, grid[up[0]], grid[up[0] + 1], xtol=1e-14))


def chip_trajectory(laws: list, taus: list, target: NeuronParams, drive: np.ndarray, dt: float,
                    kick: float = DEFAULT_KICK, g: float | None = None) -> np.ndarray:
    """The model's discrete map (neuron.py) with generalised element laws; starts at rest + kick. g: the
    leak (default the target's)."""
    g = float(target.g) if g is None else float(g)
    e_rev, c_m = float(target.e_rev), float(target.c)
    h = g * dt / c_m
    phi = dt / c_m * (-math.expm1(-h) / h if h > 1e-12 else 1.0)
    v = resting_voltage(laws, g, e_rev, float(drive[0])) + kick
    x = [v - kick] * len(laws)
    a_f = [math.exp(-dt / t) if t > 0 else 0.0 for t in taus]
    inst = [t <= 0 for t in taus]
    params = [(law.a, law.d, 1.0 / law.s, law.c) for law in laws]
    g_out = sum(law.g_out for law in laws)
    tanh = math.tanh
    out = np.empty(len(drive) + 1)
    out[0] = v
    for n, i_total in enumerate(drive.tolist()):
        ion = g_out * v
        for j, (a, d, inv_s, c) in enumerate(params):
            ion += a * tanh(((v if inst[j] else x[j]) - d) * inv_s) + c
        v_next = v + phi * (i_total - g * (v - e_rev) - ion)
        for j in range(len(x)):
            x[j] = a_f[j] * x[j] + (1 - a_f[j]) * v
        v = v_next
        out[n + 1] = v
    return out


__all__ = ["Spread", "ChipDraws", "ElementDraw", "SyntheticChip", "Law", "chip_trajectory", "resting_voltage"]
