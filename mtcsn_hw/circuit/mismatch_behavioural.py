"""Behavioural equivalents of the sky130 cells' device mismatch: one chip at both levels.

A behavioural OTA or filter takes its knobs from the very transistor draws its sky130 counterpart
would get (same device names "<instance>/M1" ..., same hashed streams), so a behavioural Monte Carlo
is a fast stand-in for the transistor one, chip by chip. Weak inversion, per device a current factor
  lambda = ln(I / I_nominal) = -s delvto / (n U_T) + ln(mulu0)     (s = +1 nfet, -1 pfet: ngspice's
  delvto adds to vth0, which is negative for a pfet, so delvto > 0 strengthens a pfet)
ota_sky130 (pair M1/M2, mirror M3/M4, tail M5 from diode MB fed by IB), with m = exp(l4 - l3):
  voff = delvto1 - delvto2 - (U_T / kappa) (ln(mulu0_1 / mulu0_2) + ln m)     (zero crossing of I_out)
  gain = IB.scale exp(l5 - lB) (1 + m) / 2                                    (mean of the two saturations)
fi_sky130 (split tails M5A/M5B, degeneration r I_side = 2 U_T (wide - 1)), small signal around balance:
  gain = t wide / (1 + t (wide - 1)) (1 + m) / 2,  t = IB.scale exp((l5A + l5B) / 2 - lB)
  tau = C1.scale C V0 / (gain I_tau)
Derivation and numbers: docs/mismatch.md; bench/mismatch_crosscheck.py checks them in ngspice.
"""
from __future__ import annotations

import math

from mtcsn_hw.circuit.cells.sky130 import SIZES as CELL_SIZES
from mtcsn_hw.circuit.families.sky130 import FILTER_WIDENING
from mtcsn_hw.circuit.families.sky130 import KAPPA as SKY130_KAPPA
from mtcsn_hw.circuit.mismatch import BIAS_REFERENCE, Device, MismatchSpec, as_devices, draw_device

# Weak-inversion slope factor n of the mirror and tail devices at the cells' operating points (ngspice,
# hoisted tt cards, 27 C: d ln I / d delvto): pfet W = L = 4 um at 0.5 nA 1.71 (0.2 nA: 1.56); nfet
# W = 2 L = 8 um at 1 nA 1.52 (0.2 nA: 1.48). The pair enters through kappa (gate-referred).
SLOPE_N = {"nfet_01v8": 1.52, "pfet_01v8": 1.71}
KAPPA = SKY130_KAPPA["tt"]    # ota_sky130 pair at 1 nA, tt
U_T = 0.025865                # 27 C
WIDE = FILTER_WIDENING        # follower-integrator widening of the sky130 family
SIZES = {role: (float(w), float(length)) for role, (w, length) in CELL_SIZES.items()}  # the cells' (W, L) in um

_ROLES = {"M1": ("nfet_01v8", "pair"), "M2": ("nfet_01v8", "pair"), "M3": ("pfet_01v8", "mirror"),
          "M4": ("pfet_01v8", "mirror"), "M5": ("nfet_01v8", "tail"), "MB": ("nfet_01v8", "tail")}
_FI_ROLES = {**{k: v for k, v in _ROLES.items() if k != "M5"}, "M5A": ("nfet_01v8", "tail"),
             "M5B": ("nfet_01v8", "tail")}


def ota_devices(instance: str) -> list[Device]:
    """The devices of an ota_sky130 instance, as the transistor level names them."""
    return [Device(f"{instance}/{m}", kind, *SIZES[role]) for m, (kind, role) in _ROLES.items()] + [
        Device(f"{instance}/IB", BIAS_REFERENCE)]


def fi_devices(instance: str) -> list[Device]:
    """The transistors and bias reference of a fi_sky130 instance (its C1 is listed on its own)."""
    return [Device(f"{instance}/{m}", kind, *SIZES[role]) for m, (kind, role) in _FI_ROLES.items()] + [
        Device(f"{instance}/IB", BIAS_REFERENCE)]


def _lambdas(draws: dict, instance: str, roles: dict, u_t: float) -> dict:
    out = {}
    for m, (kind, _) in roles.items():
        d = draws[f"{instance}/{m}"]
        sign = 1.0 if kind.startswith("n") else -1.0
        out[m] = -sign * d["delvto"] / (SLOPE_N[kind] * u_t) + math.log(d["mulu0"])
    return out


def ota_equivalent(draws: dict, instance: str, u_t: float = U_T, kappa: float = KAPPA) -> dict:
    """{'voff': V, 'gain': g} of a behavioural OTA from its transistor draws."""
    lam = _lambdas(draws, instance, _ROLES, u_t)
    d1, d2 = draws[f"{instance}/M1"], draws[f"{instance}/M2"]
    ln_m = lam["M4"] - lam["M3"]
    voff = d1["delvto"] - d2["delvto"] - (u_t / kappa) * (math.log(d1["mulu0"] / d2["mulu0"]) + ln_m)
    tail = draws[f"{instance}/IB"]["scale"] * math.exp(lam["M5"] - lam["MB"])
    return {"voff": voff, "gain": tail * (1.0 + math.exp(ln_m)) / 2.0}


def fi_equivalent(draws: dict, instance: str, u_t: float = U_T, kappa: float = KAPPA, wide: float = WIDE) -> dict:
    """{'gain': g, 'voff': V} of a behavioural follower-integrator from its transistor draws.

    gain scales its transconductance (tau / gain); voff is the output's DC shift below the input
    (fi_beh has no knob for it: docs/mismatch.md says where it can go)."""
    lam = _lambdas(draws, instance, _FI_ROLES, u_t)
    d1, d2 = draws[f"{instance}/M1"], draws[f"{instance}/M2"]
    m = math.exp(lam["M4"] - lam["M3"])
    ta = draws[f"{instance}/IB"]["scale"] * math.exp(lam["M5A"] - lam["MB"])
    tb = draws[f"{instance}/IB"]["scale"] * math.exp(lam["M5B"] - lam["MB"])
    t = math.sqrt(ta * tb)
    gain = t * wide / (1.0 + t * (wide - 1.0)) * (1.0 + m) / 2.0
    v0 = 2.0 * u_t / kappa
    pair = d1["delvto"] - d2["delvto"] - (u_t / kappa) * math.log(d1["mulu0"] / d2["mulu0"])
    degenerated = v0 * (wide - 1.0) * ((ta + tb) / (1.0 + m) - ta) - (u_t / kappa) * math.log(m)
    return {"gain": gain, "voff": pair + degenerated}


def behavioural_draw(spec: MismatchSpec, seed: int, instance: str, kind: str) -> dict:
    """The knobs of one behavioural device: kind 'tanh_ota' (an element OTA) -> voff, gain;
    'linear_transconductor' (a follower-integrator's G1) -> gain."""
    if kind == "tanh_ota":
        devices = ota_devices(instance)
        draws = {d.name: draw_device(spec, seed, d) for d in devices}
        return ota_equivalent(draws, instance)
    devices = fi_devices(instance)
    draws = {d.name: draw_device(spec, seed, d) for d in devices}
    return {"gain": fi_equivalent(draws, instance)["gain"]}


BEHAVIOURAL_KINDS = ("tanh_ota", "linear_transconductor")


def draw_chip(spec: MismatchSpec, seed: int, devices) -> dict:
    """A chip's table for a bench at either level: transistors, capacitors and bias references draw
    directly; behavioural OTAs and filter transconductors get the equivalents of their sky130 twins."""
    out = {}
    for d in as_devices(devices):
        if d.kind in BEHAVIOURAL_KINDS:
            out[d.name] = behavioural_draw(spec, seed, d.name.rpartition("/")[0], d.kind)
        else:
            out[d.name] = draw_device(spec, seed, d)
    return dict(sorted(out.items()))
