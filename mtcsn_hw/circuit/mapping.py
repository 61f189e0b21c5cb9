"""Model units <-> physical units: the one place where the conversion happens.

  voltage   V_phys = V_rest + V_model * V0,   V0 = 2 U_T / kappa   (U_T = kT/q at the netlist's temperature)
  current   I_phys = I_model * I0             (I0: the unit bias current, default 1 nA)
  time      t_phys = t_model * tau0,          tau0 = C_m V0 / I0   (C_m: the unit membrane capacitance)

Per neuron:
  membrane  capacitor c * C_m at vm_k; passive term g (V - e_rev): resistor V0 / (g I0) to V_rest + e_rev V0;
            applied current i_app * I0 (current source into vm_k).
Per element x (current -alpha_x tanh(V_x - delta_x) into the membrane):
  an OTA with bias |alpha_x| I0 and reference V_rest + delta_x V0. Its output current is
  I_b tanh((V+ - V-) / V0), so alpha < 0 (negative conductance, regenerative) wires V+ = V_x, V- = ref,
  and alpha > 0 (positive conductance, restorative) wires V+ = ref, V- = V_x.
Per distinct filter time constant tau_x > 0 (elements with the same tau share one filter):
  a follower-integrator, C_x dV_x/dt = I_tau tanh((V - V_x)/V0) ~ (I_tau/V0)(V - V_x), so
  tau_x tau0 = C_x V0 / I_tau. Rule: C_x = C_m * clip(tau_x / 10, 0.1, 25) (5 pF for tau = 50, 25 pF for
  tau = 2500 with C_m = 1 pF), then I_tau = C_x V0 / (tau_x tau0) (100 pA and 10 pA).
"""
from __future__ import annotations

import math
import re
from dataclasses import dataclass

from mtcsn_hw.circuit.technology import Technology
from mtcsn_hw.errors import ParameterError
from mtcsn_hw.model.params import NeuronParams

SAFE_ID = re.compile(r"^[A-Za-z][A-Za-z0-9_]{0,47}$")


def spice_id(name: str) -> str:
    """A model element name as a SPICE identifier: '+' -> '_p', '-' -> '_m', validated."""
    if not isinstance(name, str):
        raise ParameterError(f"element name must be a string, got {name!r}")
    out = name.replace("+", "_p").replace("-", "_m")
    if not SAFE_ID.match(out):
        raise ParameterError(f"element name {name!r} cannot be used in a netlist")
    return out


def _finite(what: str, x) -> float:
    try:
        v = float(x)
    except (TypeError, ValueError):
        raise ParameterError(f"{what} must be a number, got {x!r}") from None
    if not math.isfinite(v):
        raise ParameterError(f"{what} must be finite, got {v}")
    return v


@dataclass(frozen=True)
class Units:
    """The physical scale of model units for one technology."""

    tech: Technology
    i0: float = 1e-9
    c_m: float = 1e-12
    v_rest: float = 0.9

    def __post_init__(self):
        for key in ("i0", "c_m", "v_rest"):
            if not _finite(key, getattr(self, key)) > 0:
                raise ParameterError(f"{key} must be > 0")

    @property
    def v0(self) -> float:
        return self.tech.v0

    @property
    def tau0(self) -> float:
        return self.c_m * self.v0 / self.i0

    def volt(self, v_model: float) -> float:
        return self.v_rest + v_model * self.v0

    def volts_delta(self, dv_model):
        """A voltage difference (no V_rest offset): model units -> V."""
        return dv_model * self.v0

    def amps(self, i_model):
        return i_model * self.i0

    def seconds(self, t_model):
        return t_model * self.tau0

    def as_dict(self) -> dict:
        return {"v0": self.v0, "i0": self.i0, "c_m": self.c_m, "tau0": self.tau0, "v_rest": self.v_rest}

    def to_model_v(self, v_phys):
        return (v_phys - self.v_rest) / self.v0

    def to_model_dv(self, dv_phys):
        """A voltage difference (an offset, a spread): V -> model units."""
        return dv_phys / self.v0

    def to_model_t(self, t_phys):
        return t_phys / self.tau0

    def to_model_i(self, i_phys):
        return i_phys / self.i0

    def describe(self) -> list[str]:
        t = self.tech
        return [
            f"technology {t.name}, corner {t.corner}, {t.temp_c:g} C: U_T = kT/q = {t.u_t * 1e3:.4f} mV, "
            f"kappa = {t.kappa:g}",
            f"V0 = 2 U_T / kappa = {self.v0 * 1e3:.4f} mV   (model voltage unit; V_phys = V_rest + V * V0)",
            f"I0 = {self.i0:.4g} A (model current unit), C_m = {self.c_m:.4g} F, V_rest = {self.v_rest:g} V",
            f"tau0 = C_m V0 / I0 = {self.tau0:.6g} s   (model time unit; t_phys = t * tau0)",
        ]


@dataclass(frozen=True)
class ElementMap:
    name: str          # model name
    ident: str         # SPICE-safe
    bias: float        # A
    v_ref: float       # V
    regenerative: bool  # alpha < 0: V+ = V_x
    source: str        # the node tag it reads: "m" (membrane) or a filter tag
    alpha: float
    delta: float
    tau: float


@dataclass(frozen=True)
class FilterMap:
    tag: str           # node vX_k where X is the tag
    tau: float         # model units
    cap: float         # F
    bias: float        # A (I_tau)


@dataclass(frozen=True)
class NeuronMap:
    params: NeuronParams
    units: Units
    elements: tuple
    filters: tuple
    cap: float
    r_leak: float      # ohm, or inf when g = 0
    v_leak: float
    i_app: float       # A


def filter_tags(taus) -> dict:
    """Distinct nonzero tau -> node tag, in increasing order: s, us, then x3, x4, ..."""
    names = ["s", "us"]
    distinct = sorted({float(t) for t in taus if float(t) > 0})
    return {tau: (names[i] if i < len(names) else f"x{i + 1}") for i, tau in enumerate(distinct)}


def filter_cap(tau: float, units: Units) -> float:
    return units.c_m * min(max(tau / 10.0, 0.1), 25.0)


def map_neuron(params: NeuronParams, units: Units) -> NeuronMap:
    params.validate()
    tags = filter_tags([e.tau for e in params.elements])
    filters = []
    for tau, tag in tags.items():
        cap = filter_cap(tau, units)
        filters.append(FilterMap(tag, tau, cap, cap * units.v0 / (tau * units.tau0)))
    elements = []
    for e in params.elements:
        a, d, tau = _finite("alpha", e.alpha), _finite("delta", e.delta), _finite("tau", e.tau)
        elements.append(ElementMap(e.name, spice_id(e.name), abs(a) * units.i0, units.volt(d), a < 0,
                                   "m" if tau <= 0 else tags[tau], a, d, tau))
    g = _finite("g", params.g)
    c = _finite("c", params.c)
    return NeuronMap(params, units, tuple(elements), tuple(filters), c * units.c_m,
                     units.v0 / (g * units.i0) if g > 0 else math.inf,
                     units.volt(_finite("e_rev", params.e_rev)), _finite("i_app", params.i_app) * units.i0)


def describe_neuron(k: int, nm: NeuronMap) -> list[str]:
    u = nm.units
    lines = [f"neuron {k}: membrane vm_{k}: C = c*C_m = {nm.cap:.4g} F, leak R = V0/(g I0) = {nm.r_leak:.6g} ohm "
             f"to {nm.v_leak:.6g} V (= V_rest + e_rev V0), i_app = {nm.i_app:.4g} A"]
    for f in nm.filters:
        lines.append(f"  filter v{f.tag}_{k}: tau = {f.tau:g} tau0 = {f.tau * u.tau0:.6g} s; C = {f.cap:.4g} F, "
                     f"I_tau = C V0 / (tau tau0) = {f.bias:.6g} A")
    for e in nm.elements:
        src = f"vm_{k}" if e.source == "m" else f"v{e.source}_{k}"
        plus, minus = (src, "ref") if e.regenerative else ("ref", src)
        lines.append(f"  element {e.name} ({e.ident}): alpha = {e.alpha:g}, delta = {e.delta:g}, tau = {e.tau:g} -> "
                     f"I_b = |alpha| I0 = {e.bias:.6g} A, ref = V_rest + delta V0 = {e.v_ref:.6g} V, "
                     f"V+ = {plus}, V- = {minus}")
    return lines
