"""`mtcsn-hw iv`: fast, slow and ultra-slow I-V curves of a neuron, with their negative-slope regions."""
from __future__ import annotations

import sys

import numpy as np

from mtcsn_hw.cli.params_arg import add_params_argument, params_from_args
from mtcsn_hw.errors import ParameterError
from mtcsn_hw.model.iv import TIMESCALES, iv_curves, negative_slope_regions, shape


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
    p.add_argument("--points", type=int, default=401, help="sweep points (default 401)")
    p.add_argument("--plot", metavar="FILE.png", help="draw the three curves to this file")
    p.add_argument("--json", action="store_true", help="print one JSON object on stdout")
    p.set_defaults(func=run)


def run(args):
    params, source = params_from_args(args)
    if not (np.isfinite(args.v_min) and np.isfinite(args.v_max) and args.v_max > args.v_min and args.points >= 3):
        raise ParameterError("need finite --v-min < --v-max and --points >= 3")
    out = iv_report(params, source, np.linspace(args.v_min, args.v_max, args.points))
    if args.plot:
        plot_iv(out, args.plot)
    if not args.json:
        sys.stdout.write(f"{source}: V_rest = {out['v_rest']:.3f}\n")
        for name, c in out["curves"].items():
            regions = ", ".join(f"[{a:.2f}, {b:.2f}]" for a, b in c["negative_slope"]) or "none"
            sys.stdout.write(f"  {name:9s} {c['shape']:9s} negative slope: {regions}\n")
    return out


def iv_report(params, source: str, v: np.ndarray) -> dict:
    """The JSON-able I-V report: curves, their shapes and negative-slope regions."""
    curves = iv_curves(params, v)
    out = {"source": source, "v_rest": curves["v_rest"], "v": v.tolist(), "curves": {}}
    for name in TIMESCALES:
        i = curves[name].detach().numpy()
        out["curves"][name] = {"i": i.tolist(), "shape": shape(v, i),
                               "negative_slope": [list(r) for r in negative_slope_regions(v, i)]}
    return out


def plot_iv(out: dict, path) -> None:
    from mtcsn_hw.plotting import plt, save_figure

    fig, axes = plt.subplots(1, 3, figsize=(11, 3.2))
    for ax, (name, c) in zip(axes, out["curves"].items()):
        ax.plot(out["v"], c["i"], color="k")
        for a, b in c["negative_slope"]:
            ax.axvspan(a, b, color="tab:red", alpha=0.15)
        ax.axvline(out["v_rest"], color="tab:blue", ls=":", lw=0.8)
        ax.set_title(f"{name} ({c['shape']})", fontsize=10)
        ax.set_xlabel("V (model units)")
    axes[0].set_ylabel("I (model units)")
    fig.suptitle(out["source"], fontsize=10)
    fig.tight_layout()
    save_figure(fig, path)
