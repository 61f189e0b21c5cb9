"""`mtcsn-hw montecarlo`: the spread over mismatched chips before and after calibration, and the regime yield."""
from __future__ import annotations

import sys

from mtcsn_hw.model.presets import PRESET_NAMES


def register(sub) -> None:
    p = sub.add_parser("montecarlo", help="I-V error, regime and rhythm over mismatched chips; regime yield",
                       description="Calibrates chips S .. S+N-1 like `calibrate` and reports the distribution over "
                                   "chips before and after calibration, the regime yield with a Wilson interval, "
                                   "and writes iv_envelope.png and yield.png into --out.")
    p.add_argument("source", nargs="?", metavar="PARAMS.json|models/NAME", help="neuron parameters or a checkpoint")
    p.add_argument("--preset", metavar="NAME", help=f"a preset neuron: {', '.join(PRESET_NAMES)}")
    p.add_argument("--level", default="behavioral", help="behavioral or transistor (default behavioral)")
    p.add_argument("--corner", default="tt", help="sky130 corner tt, ff or ss (default tt)")
    p.add_argument("--temp", type=float, default=27.0, help="temperature in deg C (default 27)")
    p.add_argument("--mismatch", default="sky130", metavar="SPEC", help="mismatch spec file or technology name")
    p.add_argument("--mismatch-seed", default="0", metavar="S", help="seed of the first chip (default 0)")
    p.add_argument("--chips", required=True, metavar="N", help="number of chips")
    p.add_argument("--dask", metavar="ADDRESS", help="run the chips on this dask scheduler")
    p.add_argument("--workers", metavar="W", help="local worker processes (default: one per core)")
    p.add_argument("--max-iter", type=int, default=10, help="re-tuning iterations at most (default 10)")
    p.add_argument("--out", required=True, metavar="DIR", help="run folder (figures written here too)")
    p.add_argument("--json", action="store_true", help="print one JSON object on stdout")
    p.set_defaults(func=run)


def run(args):
    from mtcsn_hw.report.montecarlo_report import run_montecarlo
    out = run_montecarlo(args.out, chips=args.chips, source=args.source, preset=args.preset, level=args.level,
                         corner=args.corner, temp=args.temp, spec=args.mismatch, mismatch_seed=args.mismatch_seed,
                         dask=args.dask, workers=args.workers, max_iter=args.max_iter)
    if not args.json:
        for when in ("before", "after"):
            y = out["regime_yield"][when] or {}
            lo, hi = y.get("wilson95", [None, None])
            sys.stdout.write(f"regime yield {when} calibration: {y.get('passed')}/{y.get('evaluated')} "
                             f"(Wilson 95 % {lo} .. {hi})\n")
        sys.stdout.write(f"figures in {out['out']}: {', '.join(out['figures'])}\n")
    return out
