"""`mtcsn-hw demo`: the pipeline on the shipped material, step by step, with figures in --out."""
from __future__ import annotations

import sys
from pathlib import Path

import numpy as np

from mtcsn_hw.cli.iv import iv_report, plot_iv
from mtcsn_hw.cli.regimes import plot_regimes
from mtcsn_hw.model.params import NeuronParams


def register(sub) -> None:
    p = sub.add_parser(
        "demo",
        help="run the whole pipeline on the shipped presets/model and write figures",
        description="End-to-end demo: firing regimes of the presets and their I-V curves "
                    "(more stages join as the pipeline grows). Figures and a JSON summary go to --out.",
    )
    p.add_argument("--out", default="out/demo", help="output folder (default out/demo)")
    p.add_argument("--json", action="store_true", help="print one JSON summary object on stdout")
    p.set_defaults(func=run)


def say(args, text: str) -> None:
    if not args.json:
        sys.stdout.write(text + "\n")
        sys.stdout.flush()


def run(args):
    from mtcsn_hw.atomic import write_json
    from mtcsn_hw.model.regime_runs import run_all

    out = Path(args.out)
    summary = {"out": str(out), "regimes": {}, "iv": {}}
    say(args, "[1] firing regimes of the presets (model)")
    results = run_all()
    plot_regimes(results, out / "regimes.png")
    for name, r in results.items():
        summary["regimes"][name] = {"class": r["class"], "n_spikes": len(r["spike_times"])}
        say(args, f"    {name:9s} -> {r['class']:9s} ({len(r['spike_times'])} spikes)")
    say(args, f"    figure: {out / 'regimes.png'}")

    say(args, "[2] I-V curves per timescale")
    for name in results:
        res = iv_report(NeuronParams.preset(name), f"preset:{name}", np.linspace(-4, 4, 401))
        plot_iv(res, out / f"iv-{name}.png")
        summary["iv"][name] = {k: c["shape"] for k, c in res["curves"].items()}
        say(args, f"    {name:9s} " + ", ".join(f"{k} {s}" for k, s in summary["iv"][name].items()))
    write_json(out / "summary.json", summary)
    say(args, f"done: {out}/summary.json")
    return summary
