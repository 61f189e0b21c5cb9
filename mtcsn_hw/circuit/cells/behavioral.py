"""Behavioural cells: ideal tanh-law OTA and the small-signal (linear) follower-integrator."""
from __future__ import annotations

from mtcsn_hw.circuit.cells.model import Behavioural, Cap, Cell

OTA_BEH = Cell(
    "ota_beh", ("out", "inp", "inn"), (("ib", 1e-9), ("v0", 0.0718)),
    (Behavioural("B1", ("0", "out"), "I = {ib * gain} * tanh((v(inp) - v(inn) - {voff}) / {v0})", "tanh_ota",
                 (("voff", "voff", 0.0), ("gain", "gain", 1.0))),),
    ("Behavioural tanh-law OTA: I(out) = gain ib tanh((V(inp) - V(inn) - voff) / v0), current into out.",
     "voff (input offset, V) and gain are the mismatch/trim knobs."))

FI_BEH = Cell(
    "fi_beh", ("out", "in"), (("c", 5e-12), ("ib", 100e-12), ("v0", 0.0718)),
    (Behavioural("G1", ("0", "out", "in", "out"), "{gain * ib / v0}", "linear_transconductor",
                 (("gain", "gain", 1.0),)),
     Cap("C1", "out", "0", "c")),
    ("Behavioural follower-integrator (small-signal, linear): C dV(out)/dt = gain (ib/v0) (V(in) - V(out)).",
     "Written linear: a linear term as a very wide tanh drives ngspice's step to ~1 ns.",
     "gain (tau spread) and scale_c1 are the mismatch knobs."))
