"""`mtcsn-hw montecarlo`: the spread over mismatched chips before and after calibration, and the regime yield;
with --forecast, a forecasting checkpoint's sMAPE over chips."""
from __future__ import annotations

import sys

from mtcsn_hw.cli.chip_args import add_chip_arguments, chip_request
from mtcsn_hw.errors import ParameterError


def register(sub) -> None:
    p = sub.add_parser("montecarlo", help="I-V error, regime and rhythm over mismatched chips; regime yield; "
                                          "a forecaster's sMAPE over chips (--forecast)",
                       description="Calibrates chips S .. S+N-1 like `calibrate` and reports the distribution over "
                                   "chips before and after calibration, the regime yield with a Wilson interval, "
                                   "and writes iv_envelope.png and yield.png into --out. With --forecast and a "
                                   "forecasting checkpoint (models/NAME), simulates the network on each chip's "
                                   "test segment instead (no calibration) and reports its sMAPE per chip and over "
                                   "chips (median, p10, p90, worst) against the nominal circuit and the model; "
                                   "each chip folder holds mismatch.json and forecasts.npz (y_true, y_model, "
                                   "y_circuit), the figure is smape_chips.png. --calibration DIR scores the chips "
                                   "of a calibration folder with their calibrated biases instead of fresh chips.")
    add_chip_arguments(p, chips_required=True)
    p.add_argument("--out", required=True, metavar="DIR", help="run folder (figures written here too)")
    p.add_argument("--forecast", action="store_true",
                   help="score a forecasting checkpoint's sMAPE on each chip instead of calibrating neurons")
    p.add_argument("--calibration", metavar="DIR",
                   help="with --forecast: the chips S .. S+N-1 of this calibration folder, calibrated biases on")
    p.add_argument("--n-test", metavar="N", help="with --forecast: first N test samples (default all; the first 75 "
                                                 "are washout)")
    p.set_defaults(func=run)


def _count(what: str, value, minimum: int) -> int:
    try:
        n = int(str(value).strip())
    except ValueError:
        raise ParameterError(f"{what} must be an integer, got {value!r}") from None
    if n < minimum:
        raise ParameterError(f"{what} must be an integer >= {minimum}, got {value!r}")
    return n


def run_forecast(args) -> dict:
    from mtcsn_hw.retraining.score import score_chips
    if args.source is None or args.preset:
        raise ParameterError("--forecast scores a forecasting checkpoint: give models/NAME, not --preset")
    first, count = _count("--mismatch-seed", args.mismatch_seed, 0), _count("--chips", args.chips, 1)
    out = score_chips(args.source, args.out, list(range(first, first + count)), level=args.level, spec=args.mismatch,
                      corner=args.corner, temp=args.temp,
                      n_test=None if args.n_test is None else _count("--n-test", args.n_test, 2),
                      workers=None if args.workers is None else _count("--workers", args.workers, 1),
                      dask=args.dask, calibration=args.calibration)
    if not args.json:
        s = out["smape"]
        if s["n"]:
            sys.stdout.write(f"sMAPE over {s['n']} chip(s): median {s['median']:.2f}, p10 {s['p10']:.2f}, "
                             f"p90 {s['p90']:.2f}, worst {s['worst']:.2f} (nominal circuit {s['nominal']:.2f}, "
                             f"model {s['model']:.2f})\n")
        sys.stdout.write(f"{len(out['failed'])} chip(s) failed; figure {out['figure']}\n")
    return out


def run(args):
    if args.forecast:
        return run_forecast(args)
    if args.calibration or args.n_test:
        raise ParameterError("--calibration and --n-test go with --forecast")
    from mtcsn_hw.report.montecarlo_report import datasheet, run_montecarlo
    out = run_montecarlo(args.out, **chip_request(args))
    if not args.json:
        for when in ("before", "after"):
            y = out["regime_yield"][when] or {}
            lo, hi = y.get("wilson95", [float("nan")] * 2)
            sys.stdout.write(f"regime yield {when} calibration: {y.get('passed')}/{y.get('evaluated')} "
                             f"(Wilson 95 % {lo:.3f} .. {hi:.3f})\n")
        sys.stdout.write(datasheet(out["target_yield"]))
        sys.stdout.write(f"figures in {out['out']}: {', '.join(out['figures'])}\n")
    return out
