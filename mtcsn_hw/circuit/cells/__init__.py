"""The cell library: each cell described once (cells/<family>.py), rendered to netlists/lib/<name>.sub."""
from __future__ import annotations

from pathlib import Path

from mtcsn_hw.circuit.cells.behavioral import FI_BEH, OTA_BEH
from mtcsn_hw.circuit.cells.membrane import MEMBRANE
from mtcsn_hw.circuit.cells.model import Cell
from mtcsn_hw.circuit.cells.sky130 import DEVICE_SIZES, FI_SKY130, OTA_SKY130, model_name

CELLS = {c.name: c for c in (OTA_BEH, FI_BEH, OTA_SKY130, FI_SKY130, MEMBRANE)}

__all__ = ["CELLS", "Cell", "DEVICE_SIZES", "model_name", "write_library"]


def write_library(folder: str | Path) -> list[Path]:
    """Write every cell to folder/<name>.sub (atomically); returns the paths."""
    from mtcsn_hw.atomic import write_text
    from mtcsn_hw.circuit.render import render_cell
    folder = Path(folder)
    paths = []
    for name, cell in CELLS.items():
        path = folder / f"{name}.sub"
        write_text(path, render_cell(cell) + "\n")
        paths.append(path)
    return paths
