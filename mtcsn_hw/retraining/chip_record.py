"""What a checkpoint retrained for one chip records about that chip (chip.json in the checkpoint folder), and the
hardware it implies for running it on that chip.

The retrained model's neurons are the chip's calibrated twins, and its per-neuron bias is the current the twin
sees: the programmed i_app source plus the chip's own constant currents (element offsets, mirror asymmetry and
trims, which the twin folds into i_app: twin.i_app = target.i_app - folded). So on the chip the bias source is
programmed with trained - offset, offset = twin.i_app - target.i_app = -folded, and the circuit keeps the cells
it was built and calibrated for (the targets' mapping plus the calibrated biases), not the twin's.

    {"format": "mtcsn-hw/chip-checkpoint/1", "source": "models/mg-mtcsn", "calibration": "runs/cal",
     "seed": 3, "run_key": "...", "twin": "twin_calibrated.json", "level": "behavioral", "corner": "tt",
     "temp": 27.0, "neurons": [<target neuron json>, ...], "offsets": [<model units>, ...]}
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from mtcsn_hw.errors import CheckpointError
from mtcsn_hw.model.params import NeuronParams

RECORD_FILE = "chip.json"
RECORD_FORMAT = "mtcsn-hw/chip-checkpoint/1"


@dataclass(frozen=True)
class Hardware:
    """The chip a checkpoint runs on: the neurons its cells were built for and the constant current each
    neuron's chip adds to the programmed bias (model units)."""

    neurons: list
    offsets: np.ndarray

    def programmed_bias(self, trained) -> np.ndarray:
        trained = np.asarray(trained, float).reshape(-1)
        if trained.shape != self.offsets.shape:
            raise CheckpointError(f"the chip record has {self.offsets.size} neurons, the network {trained.size}")
        return trained - self.offsets


def hardware_from_record(record: dict) -> Hardware:
    try:
        neurons = [NeuronParams.from_dict(d) for d in record["neurons"]]
        offsets = np.asarray(record["offsets"], float).reshape(-1)
    except (KeyError, TypeError, ValueError) as exc:
        raise CheckpointError(f"bad chip record: {exc}") from None
    if len(neurons) != offsets.size or not np.all(np.isfinite(offsets)):
        raise CheckpointError("bad chip record: one finite offset per neuron needed")
    return Hardware(neurons, offsets)


def read_record(path) -> dict | None:
    """chip.json of a checkpoint folder, or None when the checkpoint was not made for a chip."""
    file = Path(path) / RECORD_FILE
    if not file.exists():
        return None
    try:
        record = json.loads(file.read_text())
    except (OSError, ValueError) as exc:
        raise CheckpointError(f"corrupt chip record {file}: {exc}") from None
    if not isinstance(record, dict) or record.get("format") != RECORD_FORMAT:
        raise CheckpointError(f"{file}: not a chip record (format {RECORD_FORMAT!r})")
    return record


def hardware_of(path) -> Hardware | None:
    record = read_record(path)
    return None if record is None else hardware_from_record(record)
