"""`mtcsn-hw calibrate`: measure mismatched chips, fit their digital twins, re-tune their biases."""
from __future__ import annotations

import sys

from mtcsn_hw.model.presets import PRESET_NAMES


def register(sub) -> None:
    p = sub.add_parser("calibrate", help="calibrate mismatched chips of a neuron or network",
                       description="Chips S, S+1, ..., S+N-1 (mismatch spec + seed): measure (element DC curves, "
                                   "filter taus, I-V curves, autonomous and driven spike trains), fit the digital "
                                   "twin, re-tune biases, measure again. One folder per chip in --out; a re-run "
                                   "skips chips already done.")
    p.add_argument("source", nargs="?", metavar="PARAMS.json|models/NAME", help="neuron parameters or a checkpoint")
    p.add_argument("--preset", metavar="NAME", help=f"a preset neuron: {', '.join(PRESET_NAMES)}")
    p.add_argument("--level", default="behavioral", help="behavioral or transistor (default behavioral)")
    p.add_argument("--corner", default="tt", help="sky130 corner tt, ff or ss (default tt)")
    p.add_argument("--temp", type=float, default=27.0, help="temperature in deg C (default 27)")
    p.add_argument("--mismatch", default="sky130", metavar="SPEC", help="mismatch spec file or technology name")
    p.add_argument("--mismatch-seed", default="0", metavar="S", help="seed of the first chip (default 0)")
    p.add_argument("--chips", default="1", metavar="N", help="number of chips (default 1)")
    p.add_argument("--dask", metavar="ADDRESS", help="run the chips on this dask scheduler")
    p.add_argument("--workers", metavar="W", help="local worker processes (default: one per core)")
    p.add_argument("--max-iter", type=int, default=10, help="re-tuning iterations at most (default 10)")
    p.add_argument("--out", required=True, metavar="DIR", help="run folder")
    p.add_argument("--json", action="store_true", help="print one JSON object on stdout")
    p.set_defaults(func=run)


def run(args):
    from mtcsn_hw.calibration.calibrate_run import run_calibration
    out = run_calibration(args.out, source=args.source, preset=args.preset, level=args.level, corner=args.corner,
                          temp=args.temp, spec=args.mismatch, mismatch_seed=args.mismatch_seed, chips=args.chips,
                          dask=args.dask, workers=args.workers, max_iter=args.max_iter)
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
