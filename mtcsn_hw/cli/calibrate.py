"""`mtcsn-hw calibrate`: measure mismatched chips, fit their digital twins, re-tune their biases."""
from __future__ import annotations

import sys

from mtcsn_hw.cli.chip_args import add_chip_arguments, chip_request


def register(sub) -> None:
    p = sub.add_parser("calibrate", help="calibrate mismatched chips of a neuron or network",
                       description="Chips S, S+1, ..., S+N-1 (mismatch spec + seed): measure (element DC curves, "
                                   "filter taus, I-V curves, autonomous and driven spike trains), fit the digital "
                                   "twin, re-tune biases, measure again. One folder per chip in --out; a re-run "
                                   "skips chips already done.")
    add_chip_arguments(p, chips_required=False)
    p.add_argument("--out", required=True, metavar="DIR", help="run folder")
    p.set_defaults(func=run)


def run(args):
    from mtcsn_hw.calibration.calibrate_run import run_calibration
    out = run_calibration(args.out, **chip_request(args))
    if not args.json:
        for when in ("before", "after"):
            b = out[when]
            sys.stdout.write(f"{when}: I-V error {_pct(b['iv_rmse'])} of full scale, driven Gamma {_num(b['gamma'])}, "
                             f"spikes/burst {_num(b['rhythm']['spikes_per_burst'])}, "
                             f"period {_num(b['rhythm']['period'])} (medians over chips)\n")
        sys.stdout.write(f"{len(out['chips'])} chip(s) in {out['out']}, {len(out['failed'])} failed\n")
    return out


def _pct(x) -> str:
    return "n/a" if x is None else f"{100 * x:.2f} %"


def _num(x) -> str:
    return "n/a" if x is None else f"{x:.3g}"
