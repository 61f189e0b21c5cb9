"""Regenerate the netlists the project ships from the cell descriptions and the shipped model:

    python -m mtcsn_hw.circuit.shipped [REPO]

writes REPO/netlists/lib/<cell>.sub, REPO/netlists/presets/<preset>_<level>.cir and
REPO/netlists/mg-mtcsn_<level>.cir (from REPO/models/mg-mtcsn), each atomically.
"""
from __future__ import annotations

import sys
from pathlib import Path

from mtcsn_hw.circuit.build import neuron_spec, units_for
from mtcsn_hw.circuit.cells import write_library
from mtcsn_hw.circuit.export import checkpoint_dir_spec, export
from mtcsn_hw.model.params import NeuronParams
from mtcsn_hw.model.presets import PRESET_NAMES

LEVELS = ("behavioral", "transistor")


def regenerate(repo: str | Path = ".") -> list[Path]:
    repo = Path(repo)
    paths = write_library(repo / "netlists" / "lib")
    for name in PRESET_NAMES:
        for level in LEVELS:
            path = repo / "netlists" / "presets" / f"{name}_{level}.cir"
            export(neuron_spec(NeuronParams.preset(name), name), units_for(level), path)
            paths.append(path)
    model = repo / "models" / "mg-mtcsn"
    if model.is_dir():
        for level in LEVELS:
            path = repo / "netlists" / f"mg-mtcsn_{level}.cir"
            export(checkpoint_dir_spec(model), units_for(level), path)
            paths.append(path)
    return paths


if __name__ == "__main__":
    for p in regenerate(sys.argv[1] if len(sys.argv) > 1 else "."):
        print(p)
