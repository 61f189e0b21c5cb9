"""A forecasting checkpoint on ONE chip: the chip of a calibration folder (its mismatch table, and its calibrated
biases unless calibrated=False), or a chip drawn from a mismatch spec and a seed; returns the sMAPEs and the
forecasts. A checkpoint retrained for a chip runs with that chip's hardware (retraining.chip_record)."""
from __future__ import annotations

import numpy as np

from mtcsn_hw.checkpoint.reader import CheckpointData, read_checkpoint
from mtcsn_hw.circuit.build import units_for
from mtcsn_hw.circuit.devices import mismatchable_devices
from mtcsn_hw.circuit.export import checkpoint_spec
from mtcsn_hw.circuit.mismatch import MismatchSpec, load_spec
from mtcsn_hw.circuit.mismatch_behavioural import draw_chip
from mtcsn_hw.circuit.network import network_bench
from mtcsn_hw.errors import ParameterError
from mtcsn_hw.retraining.calibrated_chip import read_chip
from mtcsn_hw.retraining.chip_forecast import WASHOUT, forecast_on_chip
from mtcsn_hw.retraining.chip_record import Hardware, hardware_of


def draw_network_chip(ck: CheckpointData, units, spec: MismatchSpec, seed: int) -> dict:
    """The chip (spec, seed) for the checkpoint's network: a draw for every device of its bench (the same names,
    and so the same draws, as the calibration's chip bench of the same neurons)."""
    bench = network_bench(checkpoint_spec(ck, 2), units)
    return draw_chip(spec, seed, mismatchable_devices(bench))


def network_neurons(ck: CheckpointData, hardware: Hardware | None) -> list:
    return list(hardware.neurons) if hardware is not None else ck.neurons()


def run_on_chip(checkpoint, calibration=None, seed=None, mismatch=None, calibrated: bool = True,
                level: str = "behavioral", corner: str = "tt", temp: float = 27.0, n_test: int | None = None,
                washout: int = WASHOUT) -> dict:
    """sMAPE of the checkpoint's circuit on one chip (and of the model, on the same samples), with the forecasts.

    calibration: a calibration folder; seed picks its chip (default: its only one); its level, corner and
    temperature are used. mismatch: otherwise, a spec file or technology name, with seed (None: the nominal chip).
    """
    ck = read_checkpoint(checkpoint)
    hardware = hardware_of(ck.path)
    table, knobs = {}, None
    if calibration is not None:
        chip = read_chip(calibration, seed, network_neurons(ck, hardware), str(ck.path))
        level, corner, temp, seed = chip.level, chip.corner, chip.temp, chip.seed
        table, knobs = chip.table, (chip.knobs if calibrated else None)
    units = units_for(level, corner, temp)
    if calibration is None and mismatch is not None:
        if seed is None:
            raise ParameterError("a chip drawn from a mismatch spec needs a seed")
        table = draw_network_chip(ck, units, load_spec(mismatch), int(seed))
    fc = forecast_on_chip(ck, units, table, knobs, n_test, hardware=hardware, washout=washout)
    return {"checkpoint": str(ck.path), "seed": seed, "level": level, "corner": corner, "temp": temp,
            "calibrated": knobs is not None, "smape": fc.smape(), "smape_model": fc.smape("model"),
            "smape_vs_model": fc.smape_vs_model(), "washout": washout, "steps": int(np.size(fc.y_true)),
            "forecasts": fc}
