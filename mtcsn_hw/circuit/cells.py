"""The subcircuit library: one source of truth for the cells, written to netlists/lib/*.sub.

Behavioural level
  ota_beh        out inp inn          I(out) = ib tanh((V(inp) - V(inn)) / v0)  (B-source; kappa dV/2U_T = dV/V0)
  fi_beh         out in               C dV(out)/dt = (ib / v0) (V(in) - V(out)): the small-signal
                                      follower-integrator, written linear (a linear term as a wide tanh
                                      drives ngspice's step to ~1 ns), matching the model's linear filter.
Transistor level (sky130_fd_pr nfet_01v8 / pfet_01v8, BSIM4; the PDK bin of each size as a global model)
  ota_sky130     out inp inn vdd      5-transistor OTA: nfet differential pair M1/M2 W = L = 2 um, pfet
                                      mirror M3/M4 W = L = 4 um, nfet tail M5 W = 2 L = 4 um mirrored from a
                                      diode MB of the same size fed by the bias reference ib. At 1 nA a pair
                                      device runs at an inversion coefficient ~1e-3 (deep weak inversion, so
                                      I = I_b tanh(kappa dV / 2U_T)); large gate areas for matching
                                      (Pelgrom sigma ~ A_VT / sqrt(WL)); long tail/mirror for output resistance.
  fi_sky130      out in vdd           ota_sky130 in unity feedback charging C: tau = C V0 / ib for small
                                      signals, slew-limited at +-ib for large ones (the model's filter is linear).
Both levels
  membrane       vm vleak             C_m at vm, passive conductance as a resistor to vleak. At transistor
                                      level too: a plain 5-T OTA leak saturates beyond ~1 V0 and changes the
                                      regime (DESIGN section 4); a wide-linear-range transconductor is future work.
"""
from __future__ import annotations

from pathlib import Path

from mtcsn_hw.atomic import write_text

SIZES = {"pair": (2, 2), "mirror": (4, 4), "tail": (2, 8)}  # (W, L) in um (PDK scale = 1u)
DEVICE_SIZES = tuple(sorted(set(SIZES.values())))


def model_name(device: str, w: float, l: float) -> str:
    """The global model card technology.flat_models writes for a device size (one PDK bin)."""
    return f"{device}_w{w:g}_l{l:g}".replace(".", "p")




def ota_beh() -> str:
    return """* Behavioural tanh-law OTA: I(out) = ib * tanh((V(inp) - V(inn)) / v0), current into out.
.subckt ota_beh out inp inn ib=1n v0=71.8m
B1 0 out I = {ib} * tanh((v(inp) - v(inn)) / {v0})
.ends ota_beh
"""


def fi_beh() -> str:
    return """* Behavioural follower-integrator (small-signal, linear): C dV(out)/dt = (ib/v0) (V(in) - V(out)).
.subckt fi_beh out in c=5p ib=100p v0=71.8m
G1 0 out in out {ib / v0}
C1 out 0 {c}
.ends fi_beh
"""


def _devices():
    (wp, lp), (wm, lm), (wt, lt) = SIZES["pair"], SIZES["mirror"], SIZES["tail"]
    return (model_name("nfet_01v8", wp, lp), model_name("pfet_01v8", wm, lm), model_name("nfet_01v8", wt, lt),
            (wp, lp), (wm, lm), (wt, lt))


def ota_sky130() -> str:
    npair, pmir, ntail, (wp, lp), (wm, lm), (wt, lt) = _devices()
    return f"""* 5-transistor subthreshold OTA (sky130): I(out) = ib tanh(kappa (V(inp) - V(inn)) / 2U_T), current into out.
* pair nfet_01v8 W={wp} L={lp} um (weak inversion at nA, matching), mirror pfet_01v8 W={wm} L={lm} um,
* tail nfet_01v8 W={wt} L={lt} um mirrored from diode MB (same size) fed by the reference current ib.
* Models: the PDK's bin for each size, as global cards (technology.flat_models).
.subckt ota_sky130 out inp inn vdd ib=1n
M1 d1 inp tail 0 {npair} w={wp} l={lp}
M2 out inn tail 0 {npair} w={wp} l={lp}
M3 d1 d1 vdd vdd {pmir} w={wm} l={lm}
M4 out d1 vdd vdd {pmir} w={wm} l={lm}
M5 tail nb 0 0 {ntail} w={wt} l={lt}
MB nb nb 0 0 {ntail} w={wt} l={lt}
IB vdd nb {{ib}}
.ends ota_sky130
"""


def ota_sky130_deg() -> str:
    npair, pmir, ntail, (wp, lp), (wm, lm), (wt, lt) = _devices()
    return f"""* Source-degenerated 5-T OTA (sky130): split tails ib/2 each, resistor r between the pair's sources.
* In weak inversion i = (I/U_T)(kappa v_g - v_s), so Gm = gm / (1 + gm r / (2 kappa)) with gm = ib / V0
* per device: linear range widened by 1 + ib r / (4 U_T).
.subckt ota_sky130_deg out inp inn vdd ib=1n r=1g
M1 d1 inp s1 0 {npair} w={wp} l={lp}
M2 out inn s2 0 {npair} w={wp} l={lp}
M3 d1 d1 vdd vdd {pmir} w={wm} l={lm}
M4 out d1 vdd vdd {pmir} w={wm} l={lm}
M5A s1 nb 0 0 {ntail} w={wt} l={lt}
M5B s2 nb 0 0 {ntail} w={wt} l={lt}
MB nb nb 0 0 {ntail} w={wt} l={lt}
IB vdd nb {{ib / 2}}
RD s1 s2 {{r}}
.ends ota_sky130_deg
"""


def fi_sky130() -> str:
    return """* Follower-integrator (sky130): a degenerated OTA in unity feedback charging C.
* The netlist writer sets itail = wide * I_tau and r = 4 U_T (wide - 1) / (wide I_tau): the small-signal
* Gm stays I_tau / V0 (tau = C V0 / I_tau) while the linear range and the slew rate grow wide times.
* A plain 5-T follower (wide = 1, r = 0) slew-limits during every spike (DESIGN section 4).
* The degeneration resistor is ideal (GOhm range; on silicon a pseudo-resistor or a bump-linearised pair).
.subckt fi_sky130 out in vdd c=5p itail=400p r=776meg
XA out in out vdd ota_sky130_deg ib={itail} r={r}
C1 out 0 {c}
.ends fi_sky130
"""


def membrane() -> str:
    return """* Membrane: capacitor cm at vm, passive conductance 1/r to vleak (a resistor at both levels).
.subckt membrane vm vleak cm=1p r=71.8meg
C1 vm 0 {cm}
R1 vm vleak {r}
.ends membrane
"""


CELLS = {"ota_beh": ota_beh, "fi_beh": fi_beh, "ota_sky130": ota_sky130, "ota_sky130_deg": ota_sky130_deg,
         "fi_sky130": fi_sky130,
         "membrane": membrane}
LEVEL_CELLS = {"behavioral": ("ota_beh", "fi_beh", "membrane"), "transistor": ("ota_sky130", "ota_sky130_deg", "fi_sky130", "membrane")}


def library_text(level: str) -> str:
    """The subcircuits a level needs, in one block (netlists inline them to stay self-contained)."""
    return "\n".join(CELLS[name]() for name in LEVEL_CELLS[level])


def write_library(folder: str | Path) -> list[Path]:
    """Write every cell to folder/<name>.sub (atomically); returns the paths."""
    folder = Path(folder)
    paths = []
    for name, build in CELLS.items():
        path = folder / f"{name}.sub"
        write_text(path, build())
        paths.append(path)
    return paths
