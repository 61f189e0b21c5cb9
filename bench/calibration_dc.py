"""The DC half of the calibration over many chips: per chip the measured I-V error (worst of fast and slow,
fraction of full scale) before and after bias re-tuning, the iterations, and the wall time of measuring and
re-tuning (no spike trains: those take most of a full `calibrate` run). One JSON line per chip, then a summary.

    PYTHONPATH=. python bench/calibration_dc.py --preset bursting --level transistor --chips 10 [--corner ss --temp 85]
"""
from __future__ import annotations

import argparse
import json
import time

import numpy as np
import torch

from mtcsn_hw.calibration.chip_bench import make_chip
from mtcsn_hw.calibration.knobs import nominal_knobs
from mtcsn_hw.calibration.measure_elements import measure_elements
from mtcsn_hw.calibration.measure_filters import measure_filters
from mtcsn_hw.calibration.measure_iv import measure_iv
from mtcsn_hw.calibration.measure_spikes import autonomous_stimulus, measure_spikes
from mtcsn_hw.calibration.measurements import Measurements
from mtcsn_hw.calibration.record import rhythm
from mtcsn_hw.calibration.retune import RetuneSettings, retune
from mtcsn_hw.circuit.build import units_for
from mtcsn_hw.circuit.mismatch import load_spec
from mtcsn_hw.model.params import NeuronParams
from mtcsn_hw.model.regimes import classify


def rhythms(chip, knobs, t_end: float) -> dict:
    """The autonomous run's rhythm and regime with these knobs (None: the uncalibrated chip)."""
    run = measure_spikes(chip, [0], {0: autonomous_stimulus(t_end)}, None if knobs is None else {0: knobs})[0]
    return {**rhythm(run.spike_times, t_end), "regime": classify(run.spike_times, 0.0, t_end)}


def one_chip(params, units, spec, seed: int, autonomous: float = 0.0) -> dict:
    started = time.perf_counter()
    chip = make_chip([params], units, spec, seed)
    before = measure_iv(chip, [0])[0]

    def measure(knobs):
        return Measurements(measure_elements(chip, [0], {0: knobs})[0], measure_filters(chip, [0], {0: knobs})[0])

    tune = retune(params, measure, nominal_knobs(params, units), units, RetuneSettings())
    after = measure_iv(chip, [0], {0: tune.knobs})[0]
    extra = {}
    if autonomous:
        extra = {"rhythm_before": rhythms(chip, None, autonomous),
                 "rhythm_after": rhythms(chip, tune.knobs, autonomous)}
    return {**extra, "seed": seed, "before_iv_rmse": before["iv_rmse"], "after_iv_rmse": after["iv_rmse"],
            "before_fast": before["fast"]["rmse"], "after_fast": after["fast"]["rmse"],
            "before_slow": before["slow"]["rmse"], "after_slow": after["slow"]["rmse"],
            "retune_error": [h["iv_error"]["worst"] for h in tune.history], "iterations": tune.iterations,
            "taus_after": tune.measurements.filters, "seconds": time.perf_counter() - started}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--preset", default="bursting")
    ap.add_argument("--level", default="transistor")
    ap.add_argument("--corner", default="tt")
    ap.add_argument("--temp", type=float, default=27.0)
    ap.add_argument("--chips", type=int, default=5)
    ap.add_argument("--first-seed", type=int, default=0)
    ap.add_argument("--autonomous", type=float, default=0.0, help="also the autonomous rhythm over this many tau0")
    args = ap.parse_args()
    torch.set_num_threads(1)
    params, spec = NeuronParams.preset(args.preset), load_spec("sky130")
    units = units_for(args.level, args.corner, args.temp)
    rows = []
    for seed in range(args.first_seed, args.first_seed + args.chips):
        rows.append(one_chip(params, units, spec, seed, args.autonomous))
        print(json.dumps(rows[-1]), flush=True)
    summary = {k: {"median": float(np.median([r[k] for r in rows])), "max": float(np.max([r[k] for r in rows]))}
               for k in ("before_iv_rmse", "after_iv_rmse", "iterations", "seconds")}
    print(json.dumps({"summary": summary, "chips": len(rows), "preset": args.preset, "level": args.level,
                      "corner": args.corner, "temp": args.temp}), flush=True)


if __name__ == "__main__":
    main()
