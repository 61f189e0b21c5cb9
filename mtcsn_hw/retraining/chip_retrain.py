"""Chip-specific retraining (DESIGN section 5, step 4, one chip): a trained MTCSN forecaster retrained for one
calibrated chip, re-exported onto that chip and re-simulated.

  1. the chip of a calibration folder: its mismatch table, calibrated biases and the calibrated chip's twins
     (twin_calibrated.json: the chip as it will run, calibrated biases and trims on);
  2. warm start from the source checkpoint, the twins frozen into the layer (retraining.warm_start); the same
     training loop and config, a short run: input weights, per-neuron bias and readout move;
  3. the hardware: the chip keeps its cells and calibrated biases; each neuron's bias source is programmed
     with trained - offset, offset = twin.i_app - target.i_app (the chip's own constant currents);
  4. the recovery ladder on the same test samples: nominal circuit, mismatched (uncalibrated) chip, calibrated
     chip, retrained network on the calibrated chip (sMAPE against the truth);
  5. a normal checkpoint folder, plus chip.json (what it was made for) and ladder.json, written atomically.
"""
from __future__ import annotations

import dataclasses
from pathlib import Path

import numpy as np

from mtcsn_hw.atomic import check_writable
from mtcsn_hw.checkpoint.reader import CheckpointData, read_checkpoint
from mtcsn_hw.circuit.build import units_for
from mtcsn_hw.errors import CheckpointError, ParameterError
from mtcsn_hw.retraining.calibrated_chip import CALIBRATED_TWIN, calibrated_twins, read_chip
from mtcsn_hw.retraining.chip_forecast import forecast_on_chip, model_forecast, test_length
from mtcsn_hw.retraining.chip_record import RECORD_FILE, RECORD_FORMAT, hardware_from_record, read_record
from mtcsn_hw.retraining.warm_start import load_twins
from mtcsn_hw.training.checkpoint import load_checkpoint, plain_params, save_checkpoint
from mtcsn_hw.training.evaluate import metrics, predict
from mtcsn_hw.training.loop import fit

LADDER_FILE = "ladder.json"
LADDER_FORMAT = "mtcsn-hw/ladder/1"
RUNGS = ("nominal", "mismatched", "calibrated", "retrained")
DEFAULT_ITERATIONS = 25   # measured: longer runs fit the model better and the circuit worse (docs/retraining.md)


def _source(checkpoint) -> CheckpointData:
    ck = read_checkpoint(checkpoint)
    if ck.model != "mtcsn":
        raise CheckpointError(f"{ck.path}: only MTCSN checkpoints can be retrained for a chip (this is {ck.model})")
    if read_record(ck.path) is not None:
        raise CheckpointError(f"{ck.path} was already retrained for a chip; retrain its source checkpoint")
    return ck


def _iterations(value) -> int:
    if isinstance(value, bool) or not str(value).strip().isdigit() or int(value) < 1:
        raise ParameterError(f"iterations must be a positive integer, got {value!r}")
    return int(value)


def _ladder(ck, retrained: CheckpointData, model, chip, hardware, n: int) -> dict:
    units = units_for(chip.level, chip.corner, chip.temp)
    y_source = model_forecast(ck, n)
    runs = {"nominal": forecast_on_chip(ck, units, None, None, n, y_source),
            "mismatched": forecast_on_chip(ck, units, chip.table, None, n, y_source),
            "calibrated": forecast_on_chip(ck, units, chip.table, chip.knobs, n, y_source),
            "retrained": forecast_on_chip(retrained, units, chip.table, chip.knobs, n,
                                          model_forecast(retrained, n, model), hardware)}
    return {"format": LADDER_FORMAT, "seed": chip.seed, "level": chip.level, "corner": chip.corner,
            "temp": chip.temp, "steps": n, "washout": runs["nominal"].washout,
            "smape": {k: runs[k].smape() for k in RUNGS},
            "smape_model": {"source": runs["nominal"].smape("model"), "retrained": runs["retrained"].smape("model")},
            "smape_vs_model": {k: runs[k].smape_vs_model() for k in RUNGS}}


def retrain_for_chip(checkpoint, calibration, out, chip=None, iterations=DEFAULT_ITERATIONS, n_test=None,
                     progress: bool = True) -> dict:
    """Retrain `checkpoint` for one chip of `calibration` (chip: its seed; default the folder's only chip) and
    write the retrained checkpoint to `out`; returns the ladder (also out/ladder.json). Everything is checked
    before training starts; nothing is written unless the whole run succeeds."""
    ck = _source(checkpoint)
    iterations = _iterations(iterations)
    calibrated_chip = read_chip(calibration, chip, ck.neurons(), str(ck.path))
    twins = calibrated_twins(calibrated_chip)
    n = test_length(ck, n_test)
    check_writable(out, folder=True)

    source = load_checkpoint(ck.path)
    model = source.model
    load_twins(model.hidden.layer, twins)
    cfg = dataclasses.replace(source.config, iterations=iterations)
    model, series, norm, history = fit(cfg, source.series, progress, model=model)
    m = metrics(predict(model, series, norm, cfg.protocol, cfg.horizon), model.binary)
    m["train_seconds"] = round(history["train_seconds"], 2)
    m["final_loss"] = float(np.mean(history["loss"][-10:]))

    record = {"format": RECORD_FORMAT, "source": str(ck.path), "calibration": str(calibration),
              "seed": calibrated_chip.seed, "run_key": calibrated_chip.run_key, "twin": CALIBRATED_TWIN,
              "level": calibrated_chip.level, "corner": calibrated_chip.corner, "temp": calibrated_chip.temp,
              "iterations": iterations, "neurons": [p.to_dict() for p in calibrated_chip.targets],
              "offsets": [float(t.i_app - p.i_app) for t, p in zip(twins, calibrated_chip.targets, strict=True)]}
    retrained = CheckpointData(Path(out), cfg.to_dict(), plain_params(model, cfg, norm), m, series)
    ladder = _ladder(ck, retrained, model, calibrated_chip, hardware_from_record(record), n)
    ladder.update(source=str(ck.path), calibration=str(calibration), out=str(out), iterations=iterations,
                  train_seconds=m["train_seconds"])
    save_checkpoint(out, model, cfg, series, norm, m, extra={RECORD_FILE: record, LADDER_FILE: ladder})
    return ladder
