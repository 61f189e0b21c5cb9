"""Regenerate the netlists the project ships from the cell descriptions and the shipped model:

    python -m mtcsn_hw.circuit.shipped [REPO]

writes REPO/netlists/lib/<cell>.sub, REPO/netlists/presets/<preset>_<level>.cir and
REPO/netlists/<model>_<level>.cir for each shipped MTCSN model (REPO/models/<model>: mg-mtcsn and its
mismatch-robust retraining mg-mtcsn-robust), each atomically.
"""
from __future__ import annotations

import sys
from pathlib import Path

from mtcsn_hw.atomic import write_text
from mtcsn_hw.circuit.build import neuron_spec, units_for
from mtcsn_hw.circuit.cells import CELLS
from mtcsn_hw.circuit.export import checkpoint_dir_spec, export
from mtcsn_hw.circuit.render import render_cell
from mtcsn_hw.model.params import NeuronParams
from mtcsn_hw.model.presets import PRESET_NAMES

LEVELS = ("behavioral", "transistor")
MODELS = ("mg-mtcsn", "mg-mtcsn-robust")


def write_library(folder: str | Path) -> list[Path]:
    """Write every cell to folder/<name>.sub (atomically); returns the paths."""
    folder = Path(folder)
    paths = []
    for name, cell in CELLS.items():
        path = folder / f"{name}.sub"
        write_text(path, render_cell(cell) + "\n")
        paths.append(path)
    return paths


def regenerate(repo: str | Path = ".") -> list[Path]:
    repo = Path(repo)
    paths = write_library(repo / "netlists" / "lib")
    for name in PRESET_NAMES:
        for level in LEVELS:
            path = repo / "netlists" / "presets" / f"{name}_{level}.cir"
            export(neuron_spec(NeuronParams.preset(name), name), units_for(level), path)
            paths.append(path)
    for name in MODELS:
        model = repo / "models" / name
        if not model.is_dir():
            continue
        for level in LEVELS:
            path = repo / "netlists" / f"{name}_{level}.cir"
            export(checkpoint_dir_spec(model), units_for(level), path)
            paths.append(path)
    return paths


if __name__ == "__main__":
    for p in regenerate(sys.argv[1] if len(sys.argv) > 1 else "."):
        print(p)
