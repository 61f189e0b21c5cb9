"""`mtcsn-hw iv`: fast, slow and ultra-slow I-V curves of a neuron, with their negative-slope regions."""
from __future__ import annotations

import sys

from mtcsn_hw.cli.params_arg import add_params_argument, params_from_args
from mtcsn_hw.model.iv_report import MAX_POINTS
from mtcsn_hw.report.model_iv import run_iv


def register(sub) -> None:
    p = sub.add_parser(
        "iv",
        help="fast/slow/ultra-slow I-V curves of a neuron (model units)",
        description="Compute the I-V curve of each timescale (DESIGN §1): the membrane current with all slower "
                    "filtered voltages held at rest, and report the regions of negative slope.",
    )
    add_params_argument(p)
    p.add_argument("--v-min", type=float, default=-4.0, help="sweep start (default -4)")
    p.add_argument("--v-max", type=float, default=4.0, help="sweep end (default 4)")
    p.add_argument("--points", type=int, default=401, help=f"sweep points (default 401, at most {MAX_POINTS})")
    p.add_argument("--plot", metavar="FILE.png", help="draw the three curves to this file")
    p.add_argument("--json", action="store_true", help="print one JSON object on stdout")
    p.set_defaults(func=run)


def run(args):
    params, source = params_from_args(args)
    out = run_iv(params, source, args.v_min, args.v_max, args.points, plot=args.plot)
    if not args.json:
        sys.stdout.write(f"{source}: V_rest = {out['v_rest']:.3f}\n")
        for name, c in out["curves"].items():
            regions = ", ".join(f"[{a:.2f}, {b:.2f}]" for a, b in c["negative_slope"]) or "none"
            sys.stdout.write(f"  {name:9s} {c['shape']:9s} negative slope: {regions}\n")
    return out
