"""`mtcsn-hw regimes`: the tonic, phasic and bursting presets, simulated and classified."""
from __future__ import annotations

import sys

from mtcsn_hw.model.regime_runs import run_all


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
    results = run_all(args.dt)
    if args.plot:
        plot_regimes(results, args.plot)
    out = {name: {k: v for k, v in r.items() if k != "trace"} for name, r in results.items()}
    if not args.json:
        for name, r in out.items():
            f = r["features"]
            sys.stdout.write(f"{name:9s} -> {r['class']:9s} {f['n_spikes']:3d} spikes in [{r['t_on']:g}, {r['t_end']:g}]"
                             + (f", median ISI {f['median_isi']:.1f}" if "median_isi" in f else "") + "\n")
    return {"dt": args.dt, "presets": out}


def plot_regimes(results: dict, path) -> None:
    from mtcsn_hw.plotting import plt, save_figure

    fig, axes = plt.subplots(len(results), 1, figsize=(9, 2.3 * len(results)))
    for ax, (name, r) in zip(axes, results.items()):
        tr = r["trace"]
        ax.plot(tr.t.numpy(), tr.v.detach().numpy(), lw=0.8, color="k")
        if r["t_on"] > 0:
            ax.axvline(r["t_on"], color="tab:red", ls="--", lw=0.8, label="stimulus step")
            ax.legend(loc="upper left", fontsize=8)
        ax.set_title(f"{name} preset: classified '{r['class']}', {len(r['spike_times'])} spikes", fontsize=10)
        ax.set_ylabel("V (model units)")
    axes[-1].set_xlabel("time (model units, tau0)")
    fig.tight_layout()
    save_figure(fig, path)
