"""sky130 transistor cells (sky130_fd_pr nfet_01v8 / pfet_01v8, BSIM4; one PDK bin per size as a global
model card, see technology.flat_models).

ota_sky130   5-transistor OTA: nfet pair M1/M2 W = L = 2 um, pfet mirror M3/M4 W = L = 4 um, nfet tail M5
             W = 2 L = 8 um mirrored from a diode MB of the same size fed by the reference current IB. At 1 nA
             a pair device runs at an inversion coefficient ~1e-3 (deep weak inversion: I = I_b tanh(kappa
             dV / 2U_T)); large gate areas for matching (Pelgrom); long tail/mirror for output resistance.
fi_sky130    follower-integrator: a source-degenerated 5-T OTA in unity feedback charging C1, its
             transistors held directly (one level, every device addressable): split tails M5A/M5B of
             itail/2 each, degeneration resistor RD between the pair's sources. In weak inversion
             Gm = gm / (1 + gm r / (2 kappa)): the family sets itail and r so the small-signal tau stays
             C V0 / I_tau while the linear range and slew rate grow (families/sky130.py).
"""
from __future__ import annotations

from mtcsn_hw.circuit.cells.model import Bias, Cap, Cell, Mos, Res

SIZES = {"pair": (2, 2), "mirror": (4, 4), "tail": (2, 8)}  # (W, L) in um (PDK scale = 1u)
DEVICE_SIZES = tuple(sorted(set(SIZES.values())))


def model_name(device: str, w: float, l: float) -> str:  # noqa: E741
    """The global model card technology.flat_models writes for a device size (one PDK bin)."""
    return f"{device}_w{w:g}_l{l:g}".replace(".", "p")


def _mos(name, d, g, s, b, device, role):
    w, l = SIZES[role]  # noqa: E741
    return Mos(name, d, g, s, b, device, model_name(device, w, l), w, l)


OTA_SKY130 = Cell(
    "ota_sky130", ("out", "inp", "inn", "vdd"), (("ib", 1e-9),),
    (_mos("M1", "d1", "inp", "tail", "0", "nfet_01v8", "pair"),
     _mos("M2", "out", "inn", "tail", "0", "nfet_01v8", "pair"),
     _mos("M3", "d1", "d1", "vdd", "vdd", "pfet_01v8", "mirror"),
     _mos("M4", "out", "d1", "vdd", "vdd", "pfet_01v8", "mirror"),
     _mos("M5", "tail", "nb", "0", "0", "nfet_01v8", "tail"),
     _mos("MB", "nb", "nb", "0", "0", "nfet_01v8", "tail"),
     Bias("IB", "vdd", "nb", "ib")),
    ("5-transistor subthreshold OTA (sky130): I(out) = ib tanh(kappa (V(inp) - V(inn)) / 2U_T), current into out.",
     "pair nfet_01v8 W=2 L=2 um, mirror pfet_01v8 W=4 L=4 um, tail nfet_01v8 W=2 L=8 um mirrored from diode MB.",
     "Per device: delvto_<m> (V), mulu0_<m>; scale_ib scales the reference current."))

FI_SKY130 = Cell(
    "fi_sky130", ("out", "in", "vdd"), (("c", 5e-12), ("itail", 400e-12), ("r", 776e6)),
    (_mos("M1", "d1", "in", "s1", "0", "nfet_01v8", "pair"),
     _mos("M2", "out", "out", "s2", "0", "nfet_01v8", "pair"),
     _mos("M3", "d1", "d1", "vdd", "vdd", "pfet_01v8", "mirror"),
     _mos("M4", "out", "d1", "vdd", "vdd", "pfet_01v8", "mirror"),
     _mos("M5A", "s1", "nb", "0", "0", "nfet_01v8", "tail"),
     _mos("M5B", "s2", "nb", "0", "0", "nfet_01v8", "tail"),
     _mos("MB", "nb", "nb", "0", "0", "nfet_01v8", "tail"),
     Bias("IB", "vdd", "nb", "itail / 2"),
     Res("RD", "s1", "s2", "r"),
     Cap("C1", "out", "0", "c")),
    ("Follower-integrator (sky130): a degenerated OTA (split tails itail/2, RD between the pair's sources)",
     "in unity feedback charging C1. The sky130 family sets itail = wide I_tau and r = 4 U_T (wide - 1) /",
     "(wide I_tau): small-signal tau = C V0 / I_tau, linear range and slew rate x wide. A plain 5-T",
     "follower (wide = 1) slew-limits during every spike (DESIGN section 4). RD is ideal (GOhm range)."))
