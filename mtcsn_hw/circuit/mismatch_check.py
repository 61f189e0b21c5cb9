"""Benches and read-outs that check the mismatch numbers in ngspice (bench/mismatch_crosscheck.py, tests).

A bank of n OTAs in one bench, each output held at mid-rail by its own source Vo<k>, the inverting
input at mid-rail, the non-inverting inputs swept together by Vd: per OTA the zero crossing of its
output current (input offset), its saturation levels (gain) and its slope at the crossing (Gm).
Injected: instances of the real cells (ota_sky130, fi_sky130) on the technology's hoisted cards, our
delvto / mulu0 / scale draws set as their per-device parameters. Native: the same transistors as the
PDK's own subcircuits with mc_mm_switch = 1 (agauss drawn per instance at parse time: the PDK's Monte
Carlo). Every analysis and option is a bench record; only the PDK model text and the native device
lines are verbatim circuit text.
"""
from __future__ import annotations

import math
import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from mtcsn_hw.circuit.bench import DC, Bench, Dc, Include, Instance, ISource, Op, Options, VSource
from mtcsn_hw.circuit.cells.sky130 import FI_SKY130, OTA_SKY130, model_name
from mtcsn_hw.circuit.devices import apply_device_params
from mtcsn_hw.circuit.mismatch import MismatchSpec
from mtcsn_hw.circuit.mismatch_behavioural import _ROLES, KAPPA, SIZES, SLOPE_N, U_T, WIDE
from mtcsn_hw.circuit.technology import Technology, flat_models, inline_parameters, sky130_models_dir, technology
from mtcsn_hw.errors import ParameterError

MID = 0.9
SWEEP = (-0.3, 0.3, 5e-3)   # Vd start, stop, step (V); the crossing is interpolated


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
# voff), V per unit (nfactor), V per relative toxe change: measured by sensitivity_bench at the cells'
# operating point (0.5 nA, nfet W = L = 2 um, pfet W = L = 4 um; tt, 27 C). The pfet's voff acts with
# the opposite sign and two thirds of the weight of its vth0; in weak inversion toxe acts as a threshold.
SENSITIVITY = {"nfet_01v8": {"vth0": 0.9925, "voff": 0.9880, "nfactor": -0.0152, "toxe": 0.4851},
               "pfet_01v8": {"vth0": 1.0083, "voff": -0.6567, "nfactor": 0.0225, "toxe": -0.3646}}
_STEP = {"vth0": 0.01, "voff": 0.01, "nfactor": 0.05, "toxe": 0.01}
_DIODES = {"nfet_01v8": (2, 2), "pfet_01v8": (4, 4)}


def _stepped_card(card: str, device: str, size: str, par: str, step: float) -> str:
    """A copy of a hoisted card named <device>_<par>, that parameter stepped (par 'nom': unchanged)."""
    new = card.replace(f".model {size} ", f".model {device}_{par} ")
    if par == "nom":
        return new.rstrip()
    value = re.search(rf"(?m)^\+\s*{par}\s*=\s*(\{{[^}}]*\}}|[-0-9.eE+]+)", new)
    old = value.group(1).strip("{}")
    shifted = f"({old})*{1 + step}" if par == "toxe" else f"{step}+{old}"
    return (new[: value.start(1)] + "{" + shifted + "}" + new[value.end(1):]).rstrip()


def sensitivity_bench(tech: Technology | None = None) -> Bench:
    """Diode-connected devices at 0.5 nA on the technology's hoisted cards (default sky130 tt, 27 C): one
    per (device, parameter) with that parameter stepped in a copy of its card, and a nominal one; node
    '<p|n><param>' against '<p|n>nom' (operating point)."""
    tech = tech or technology("sky130")
    cards = re.split(r"(?m)^(?=\.model )", flat_models(tech.corner))
    text, sources = [], list(tech.family.supplies(tech))
    for dev, (w, l) in _DIODES.items():  # noqa: E741
        size = model_name(dev, w, l)
        card = next(c for c in cards if c.startswith(f".model {size} "))
        for par, step in list(_STEP.items()) + [("nom", 0.0)]:
            node = f"{dev[0]}{par}"
            rail = "vdd" if dev.startswith("p") else "0"
            text += [_stepped_card(card, dev, size, par, step),
                     f"M{node} {node} {node} {rail} {rail} {dev}_{par} w={w} l={l}"]
            plus, minus = (node, "0") if rail == "vdd" else ("0", node)
            sources.append(ISource(f"I{node}", plus, minus, DC(0.5e-9)))
    return Bench(title="weak-inversion sensitivities of the hoisted cards", technology=tech, raw="\n".join(text),
                 elements=tuple(sources), analyses=(Op(),))


def sensitivities(voltage) -> dict:
    """SENSITIVITY's numbers from a sensitivity_bench run; voltage(node) -> V."""
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


@dataclass(frozen=True)
class PdkDevices(Technology):
    """sky130 tt on the PDK's own device subcircuits (sky130_fd_pr__nfet_01v8 / pfet_01v8) with its mismatch
    Monte Carlo on (mc_mm_switch = 1; the subvt slopes unless subvt = False) instead of the hoisted per-size
    cards; temperature and options are sky130's. mc = False: nominal devices; trimmed = False: the whole
    subcircuits are left to the bench's includes (pdk_subckt says why they are trimmed)."""

    subvt: bool = True
    mc: bool = True
    trimmed: bool = True

    def model_lines(self) -> list[str]:
        params, pm3 = _pdk_files(self.subvt)
        models = [pdk_subckt(d, p) for d, p in pm3.items()] if self.trimmed else []
        return [f".param mc_mm_switch={int(bool(self.mc))} mc_pr_switch=0",
                inline_parameters([str(p) for p in params]), *models]


def native_bench(seed: int, devices: str, elements: tuple = (), analyses: tuple = (Op(),), subvt: bool = True,
                 mc: bool = True, trimmed: bool = True, title: str = "PDK Monte Carlo") -> Bench:
    """A bench of the PDK's own devices (devices: X lines of its subcircuits, verbatim) on PdkDevices, the
    agauss draws seeded by the simulator seed (an Options record)."""
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0:
        raise ParameterError(f"simulator seed must be a non-negative integer, got {seed!r}")
    base = technology("sky130", "tt")
    tech = PdkDevices(base.name, base.corner, base.temp_c, base.kappa, base.vdd, subvt=subvt, mc=mc, trimmed=trimmed)
    includes = () if trimmed else tuple(Include(str(p)) for p in _pdk_files(subvt)[1].values())
    return Bench(title=title, technology=tech, options=(Options((("seed", int(seed)),)),), includes=includes,
                 raw=devices, elements=tuple(elements), analyses=tuple(analyses))


def _bank_sources(tech: Technology) -> list:
    return [*tech.family.supplies(tech), VSource("Vref", "vref", "0", DC(MID)), VSource("Vd", "inp", "0", DC(MID))]


def _sweep(sweep: tuple) -> Dc:
    start, stop, step = sweep
    return Dc("Vd", MID + start, MID + stop, step)


def ota_bank(n: int, cell: str = "ota", ib: float = 1e-9, table: dict | None = None, r: float = 0.0,
             sweep: tuple = SWEEP, tech: Technology | None = None) -> Bench:
    """n instances Xo<k> of ota_sky130 (cell 'ota', bias ib) or of fi_sky130 (cell 'fi': itail ib, split
    tails ib/2 each, r between the pair's sources; its output, which is also its inverting input, held at
    mid-rail) on the technology's hoisted cards; table['Xo<k>/<device>'] draws as per-device parameters."""
    if cell not in ("ota", "fi"):
        raise ParameterError(f"cell must be 'ota' or 'fi', got {cell!r}")
    tech = tech or technology("sky130")
    ota = cell == "ota"
    elements = _bank_sources(tech)
    for k in range(n):
        inst = (Instance(f"Xo{k}", OTA_SKY130, (f"out_{k}", "inp", "vref", "vdd"), {"ib": ib}) if ota else
                Instance(f"Xo{k}", FI_SKY130, (f"out_{k}", "inp", "vdd"), {"itail": ib, "r": r}))
        elements += [inst, VSource(f"Vo{k}", f"out_{k}", "0", DC(MID))]
    bench = Bench(title=f"{n} {cell} cells, injected draws", technology=tech, cells=(OTA_SKY130 if ota else FI_SKY130,),
                  elements=tuple(elements), analyses=(_sweep(sweep),))
    return apply_device_params(bench, table) if table else bench


def _pdk_device_lines(k: int, ports: dict) -> list[str]:
    """ota_sky130's transistors as the PDK's own subcircuits, copy k (its nodes suffixed _k)."""
    def node(n):
        return ports.get(n, n if n == "0" else f"{n}_{k}")
    return [f"X{m.name}_{k} {node(m.d)} {node(m.g)} {node(m.s)} {node(m.b)} sky130_fd_pr__{m.device} "
            f"w={m.w:g} l={m.l:g}" for m in OTA_SKY130.devices if m.kind == "transistor"]


def native_ota_bank(n: int, seed: int, ib: float = 1e-9, sweep: tuple = SWEEP) -> Bench:
    """n copies of ota_sky130 built from the PDK's subcircuits with its Monte Carlo on (simulator seed)."""
    tech = technology("sky130")
    lines, elements = [], _bank_sources(tech)
    for k in range(n):
        ports = {"out": f"out_{k}", "inp": "inp", "inn": "vref", "vdd": "vdd"}
        lines += _pdk_device_lines(k, ports)
        elements += [ISource(f"IB_{k}", "vdd", f"nb_{k}", DC(ib)), VSource(f"Vo{k}", f"out_{k}", "0", DC(MID))]
    return native_bench(seed, "\n".join(lines), tuple(elements), (_sweep(sweep),),
                        title=f"{n} ota cells, PDK Monte Carlo")


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


def pelgrom_sigmas(spec: MismatchSpec, u_t: float = U_T, kappa: float = KAPPA, wide: float = WIDE) -> dict:
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
