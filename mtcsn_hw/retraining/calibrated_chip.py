"""One chip of a calibration folder (the shared Monte Carlo format), read for running and retraining a network on
it, and checked against the checkpoint before anything is simulated or written:

    DIR/run.json                       arguments: neurons (the targets), level, corner, temp
    DIR/chips/chip-<seed>/mismatch.json    the chip's device table
    DIR/chips/chip-<seed>/biases.json      calibrated biases, one table per neuron
    DIR/chips/chip-<seed>/twin_calibrated.json   the calibrated chip's twins (needed for retraining)
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from mtcsn_hw.calibration.knobs import Knobs
from mtcsn_hw.circuit.mismatch import MismatchSpec, load_table
from mtcsn_hw.errors import ParameterError
from mtcsn_hw.model.params import NeuronParams

CALIBRATED_TWIN = "twin_calibrated.json"
_CHIP = re.compile(r"^chip-(\d+)$")


@dataclass(frozen=True)
class CalibratedChip:
    folder: Path            # the chip's folder
    seed: int
    run_key: str
    targets: list           # NeuronParams the chip was built and calibrated for
    level: str
    corner: str
    temp: float
    spec: MismatchSpec
    table: dict             # device -> params (mismatch.json "devices")
    knobs: dict             # neuron index -> Knobs (biases.json)


def _json(path: Path, what: str):
    try:
        return json.loads(path.read_text())
    except FileNotFoundError:
        raise ParameterError(f"calibration folder: {what} {path} is missing") from None
    except (OSError, ValueError) as exc:
        raise ParameterError(f"calibration folder: cannot read {path}: {exc}") from None


def chip_seeds(calibration) -> list[int]:
    chips = Path(calibration) / "chips"
    if not chips.is_dir():
        return []
    return sorted(int(m.group(1)) for d in chips.iterdir() if (m := _CHIP.match(d.name)) and d.is_dir())


def pick_seed(calibration, seed=None) -> int:
    """The chip to use: `seed` when the folder holds it, else the folder's only chip."""
    path = Path(calibration)
    if not (path / "run.json").is_file():
        raise ParameterError(f"{path} is not a calibration folder (no run.json)")
    seeds = chip_seeds(path)
    if not seeds:
        raise ParameterError(f"calibration folder {path} holds no calibrated chip")
    if seed is None:
        if len(seeds) > 1:
            raise ParameterError(f"calibration folder {path} holds {len(seeds)} chips ({_list(seeds)}); pick one "
                                 f"with --chip SEED")
        return seeds[0]
    if isinstance(seed, bool) or not str(seed).strip().isdigit():
        raise ParameterError(f"chip seed must be a non-negative integer, got {seed!r}")
    if int(seed) not in seeds:
        raise ParameterError(f"chip {seed} is not in calibration folder {path} (it holds {_list(seeds)})")
    return int(seed)


def _list(seeds) -> str:
    return ", ".join(map(str, seeds[:10])) + (", ..." if len(seeds) > 10 else "")


def per_neuron(data, n: int, what: str) -> list:
    """A per-network file's list of per-neuron objects ({"neurons": [...]}, or one object for one neuron)."""
    items = data.get("neurons") if isinstance(data, dict) and "neurons" in data else [data]
    if not isinstance(items, list) or len(items) != n:
        count = len(items) if isinstance(items, list) else "no"
        raise ParameterError(f"calibration folder: {what} has {count} neuron(s), the network {n}")
    return items


def knobs_by_neuron(data, n: int) -> dict:
    return {k: Knobs.from_dict(d) for k, d in enumerate(per_neuron(data, n, "biases.json"))}


@dataclass(frozen=True)
class CalibrationRun:
    """What a calibration folder's run.json says: run key, target neurons, circuit."""

    path: Path
    run_key: str
    targets: list
    level: str
    corner: str
    temp: float

    def check_circuit(self, level: str, corner: str, temp: float) -> None:
        if (self.level, self.corner) != (level, corner) or abs(self.temp - float(temp)) > 1e-9:
            raise ParameterError(f"calibration folder {self.path} was made at {self.level}/{self.corner}/"
                                 f"{self.temp:g} C, not {level}/{corner}/{float(temp):g} C")


def read_run(calibration) -> CalibrationRun:
    path = Path(calibration)
    run = _json(path / "run.json", "run file")
    args = run.get("arguments") if isinstance(run, dict) else None
    if not isinstance(args, dict) or not isinstance(args.get("neurons"), list):
        raise ParameterError(f"calibration folder {path}: run.json names no neurons (not a calibration run)")
    targets = [NeuronParams.from_dict(d) for d in args["neurons"]]
    return CalibrationRun(path, str(run.get("run_key", "")), targets, str(args.get("level", "behavioral")),
                          str(args.get("corner", "tt")), float(args.get("temp", 27.0)))


def read_chip(calibration, seed=None, neurons: list | None = None, source: str = "the checkpoint") -> CalibratedChip:
    """One chip of the folder; neurons: the network it must have calibrated (refused otherwise, before the chip's
    files are read)."""
    path = Path(calibration)
    seed = pick_seed(path, seed)
    run = read_run(path)
    if neurons is not None:
        check_same_network(run.targets, neurons, path, source)
    folder = path / "chips" / f"chip-{seed}"
    spec, table_seed, table = load_table(folder / "mismatch.json")
    if table_seed != seed:
        raise ParameterError(f"{folder}/mismatch.json is the table of chip {table_seed}, not {seed}")
    knobs = knobs_by_neuron(_json(folder / "biases.json", "bias table"), len(run.targets))
    return CalibratedChip(folder, seed, run.run_key, run.targets, run.level, run.corner, run.temp, spec, table, knobs)


def calibrated_twins(chip: CalibratedChip) -> list:
    """The calibrated chip's twins (twin_calibrated.json), one NeuronParams per target."""
    file = chip.folder / CALIBRATED_TWIN
    if not file.exists():
        raise ParameterError(f"{chip.folder} has no {CALIBRATED_TWIN} (the calibrated chip's twin); calibrate "
                             f"the chip again with this version to get it")
    items = per_neuron(_json(file, "twin"), len(chip.targets), CALIBRATED_TWIN)
    twins = [NeuronParams.from_dict(d) for d in items]
    for k, (twin, target) in enumerate(zip(twins, chip.targets, strict=True)):
        if [e.name for e in twin.elements] != [e.name for e in target.elements]:
            raise ParameterError(f"{file}: neuron {k}'s elements do not match the calibrated network's")
    return twins


def check_same_network(targets: list, neurons: list, where, source: str) -> None:
    """Refuse a calibration of another network: the calibrated targets must be the checkpoint's neurons."""
    if len(neurons) != len(targets):
        raise ParameterError(f"calibration folder {where} is for {len(targets)} neurons, {source} has {len(neurons)}")
    mine = np.array([_vector(p) for p in neurons])
    theirs = np.array([_vector(p) for p in targets])
    if mine.shape != theirs.shape or not np.allclose(mine, theirs, rtol=1e-6, atol=1e-9):
        raise ParameterError(f"calibration folder {where} calibrated another network than {source} (its neurons' "
                             f"parameters differ)")


def _vector(p: NeuronParams) -> list:
    return [p.c, p.g, p.e_rev, p.i_app] + [float(x) for e in p.elements for x in (e.alpha, e.delta, e.tau)]
