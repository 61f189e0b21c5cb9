"""The membrane cell, the same at every level: C_m at vm and the passive conductance as a resistor.

At transistor level too: a plain 5-T OTA leak saturates beyond ~1 V0 and changes the regime
(DESIGN section 4); a wide-linear-range transconductor is future work.
"""
from __future__ import annotations

from mtcsn_hw.circuit.cells.model import Cap, Cell, Res

MEMBRANE = Cell(
    "membrane", ("vm", "vleak"), (("cm", 1e-12), ("r", 71.8e6)),
    (Cap("C1", "vm", "0", "cm"), Res("R1", "vm", "vleak", "r")),
    ("Membrane: capacitor cm at vm, passive conductance 1/r to vleak (a resistor at both levels).",))
