"""`mtcsn-hw montecarlo`: the spread over mismatched chips before and after calibration, and the regime yield."""
from __future__ import annotations

import sys

from mtcsn_hw.cli.chip_args import add_chip_arguments, chip_request


def register(sub) -> None:
    p = sub.add_parser("montecarlo", help="I-V error, regime and rhythm over mismatched chips; regime yield",
                       description="Calibrates chips S .. S+N-1 like `calibrate` and reports the distribution over "
                                   "chips before and after calibration, the regime yield with a Wilson interval, "
                                   "and writes iv_envelope.png and yield.png into --out.")
    add_chip_arguments(p, chips_required=True)
    p.add_argument("--out", required=True, metavar="DIR", help="run folder (figures written here too)")
    p.set_defaults(func=run)


def run(args):
    from mtcsn_hw.report.montecarlo_report import run_montecarlo
    out = run_montecarlo(args.out, **chip_request(args))
    if not args.json:
        for when in ("before", "after"):
            y = out["regime_yield"][when] or {}
            lo, hi = y.get("wilson95", [None, None])
            sys.stdout.write(f"regime yield {when} calibration: {y.get('passed')}/{y.get('evaluated')} "
                             f"(Wilson 95 % {lo} .. {hi})\n")
        sys.stdout.write(f"figures in {out['out']}: {', '.join(out['figures'])}\n")
    return out
