"""The cell library: each cell described once (cells/<family>.py); circuit.shipped renders it to netlists/lib."""
from __future__ import annotations

from mtcsn_hw.circuit.cells.behavioral import FI_BEH, OTA_BEH
from mtcsn_hw.circuit.cells.membrane import MEMBRANE
from mtcsn_hw.circuit.cells.model import Cell
from mtcsn_hw.circuit.cells.sky130 import DEVICE_SIZES, FI_SKY130, OTA_SKY130, model_name

CELLS = {c.name: c for c in (OTA_BEH, FI_BEH, OTA_SKY130, FI_SKY130, MEMBRANE)}

__all__ = ["CELLS", "Cell", "DEVICE_SIZES", "model_name"]

