"""`mtcsn-hw regimes`: the tonic, phasic and bursting presets, simulated and classified."""
from __future__ import annotations

import sys

from mtcsn_hw.report.model_regimes import run_regimes


def register(sub) -> None:
    p = sub.add_parser(
        "regimes",
        help="simulate the tonic/phasic/bursting presets and classify their firing",
        description="Simulate each preset under its stimulus protocol (constant drive, or a step at t_on for "
                    "phasic) and classify the spike train as silent/tonic/phasic/bursting/irregular.",
    )
    p.add_argument("--dt", type=float, default=0.1, help="time step in model units (default 0.1)")
    p.add_argument("--plot", metavar="FILE.png", help="draw the three voltage traces to this file")
    p.add_argument("--json", action="store_true", help="print one JSON object on stdout")
    p.set_defaults(func=run)


def run(args):
    out = run_regimes(args.dt, plot=args.plot)
    if not args.json:
        for name, r in out["presets"].items():
            f = r["features"]
            isi = f", median ISI {f['median_isi']:.1f}" if "median_isi" in f else ""
            sys.stdout.write(f"{name:9s} -> {r['class']:9s} {f['n_spikes']:3d} spikes in "
                             f"[{r['t_on']:g}, {r['t_end']:g}]{isi}\n")
    return out
