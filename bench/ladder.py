"""The recovery ladder over N chips: per chip (mismatch spec + seed) the checkpoint's sMAPE on the nominal circuit,
on the mismatched chip, on the calibrated chip, and retrained for that chip (and, with --robust, a robust
checkpoint on the uncalibrated chip); the fraction of chips within 10 % of the nominal sMAPE at each rung, and
docs/figures/ladder.png. Each chip is calibrated into its own folder and retrained into its own checkpoint, both
kept in --out, so a killed run resumes chip by chip.

    PYTHONPATH=. python bench/ladder.py models/mg-mtcsn --chips 20 --out runs/ladder [--scale 4] [--robust models/X]
"""
from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

import numpy as np
import torch

from mtcsn_hw.atomic import write_json
from mtcsn_hw.calibration.calibrate_run import run_chips
from mtcsn_hw.circuit.mismatch import load_spec
from mtcsn_hw.plotting import plt, save_figure
from mtcsn_hw.retraining.chip_retrain import DEFAULT_ITERATIONS, LADDER_FILE, RUNGS, retrain_for_chip
from mtcsn_hw.retraining.one_chip import run_on_chip

COLUMNS = (*RUNGS, "robust")
COLOURS = {"nominal": "k", "mismatched": "tab:red", "calibrated": "tab:orange", "retrained": "tab:green",
           "robust": "tab:purple"}
WITHIN = 0.10


def spec_file(out: Path, spec: str, scale: float) -> str:
    """The spec, its sigmas scaled (scale != 1), as a file the calibration records."""
    if scale == 1.0:
        return spec
    path = out / f"mismatch-x{scale:g}.json"
    write_json(path, load_spec(spec).scaled(scale).to_json())
    return str(path)


def one_chip(args, out: Path, spec: str, seed: int) -> dict:
    started = time.perf_counter()
    cal, model = out / "calibration" / f"chip-{seed}", out / "models" / f"chip-{seed}"
    if not (model / LADDER_FILE).exists():
        run_chips(cal, source=args.checkpoint, level=args.level, mismatch_seed=seed, chips=1, workers=1, spec=spec,
                  progress=False)
        retrain_for_chip(args.checkpoint, cal, model, iterations=args.iterations, progress=False)
    ladder = json.loads((model / LADDER_FILE).read_text())
    row = {"seed": seed, **ladder["smape"], "smape_model_retrained": ladder["smape_model"]["retrained"],
           "seconds": time.perf_counter() - started}
    if args.robust:
        row["robust"] = run_on_chip(args.robust, mismatch=spec, seed=seed, level=args.level)["smape"]
    return row


def fractions(rows: list) -> dict:
    out = {}
    for col in COLUMNS:
        vals = [(r[col], r["nominal"]) for r in rows if r.get(col) is not None]
        if vals:
            out[col] = {"within_10pct_of_nominal": float(np.mean([v <= (1 + WITHIN) * nom for v, nom in vals])),
                        "median": float(np.median([v for v, _ in vals])), "worst": float(max(v for v, _ in vals)),
                        "n": len(vals)}
    return out


def plot(rows: list, path, title: str) -> None:
    fig, ax = plt.subplots(figsize=(max(6.0, 0.35 * len(rows) + 3), 3.8))
    x = np.arange(len(rows))
    width = 0.8 / len(COLUMNS)
    for i, col in enumerate(COLUMNS):
        vals = [r.get(col) for r in rows]
        if col == "nominal":
            ax.axhline(rows[0]["nominal"], color="k", lw=1.2, label=f"nominal circuit {rows[0]['nominal']:.2f}")
            ax.axhspan(rows[0]["nominal"], (1 + WITHIN) * rows[0]["nominal"], color="k", alpha=0.06,
                       label="within 10 % of nominal")
            continue
        if all(v is None for v in vals):
            ax.plot([], [], "s", color=COLOURS[col], label=f"{col} (not available yet)")
            continue
        ax.plot(x + (i - len(COLUMNS) / 2) * width, [np.nan if v is None else v for v in vals], "s",
                color=COLOURS[col], ms=4, label=col)
    ax.set_xticks(x, [str(r["seed"]) for r in rows], fontsize=7)
    ax.set_xlabel("chip (mismatch seed)")
    ax.set_ylabel("sMAPE (circuit, test part)")
    ax.set_title(title, fontsize=9)
    ax.legend(fontsize=7, ncol=3, loc="upper left")
    fig.tight_layout()
    save_figure(fig, path)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("checkpoint")
    ap.add_argument("--chips", type=int, default=20)
    ap.add_argument("--first-seed", type=int, default=0)
    ap.add_argument("--out", required=True)
    ap.add_argument("--level", default="behavioral")
    ap.add_argument("--mismatch", default="sky130")
    ap.add_argument("--scale", type=float, default=1.0, help="mismatch sigmas times this (area / scale^2)")
    ap.add_argument("--iterations", type=int, default=DEFAULT_ITERATIONS)
    ap.add_argument("--robust", help="a robust checkpoint, run on each uncalibrated chip")
    ap.add_argument("--figure", default="docs/figures/ladder.png")
    args = ap.parse_args()
    torch.set_num_threads(1)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    spec = spec_file(out, args.mismatch, args.scale)
    rows = []
    for seed in range(args.first_seed, args.first_seed + args.chips):
        rows.append(one_chip(args, out, spec, seed))
        print(json.dumps(rows[-1]), flush=True)
        summary = {"checkpoint": args.checkpoint, "level": args.level, "mismatch": args.mismatch,
                   "scale": args.scale, "iterations": args.iterations, "chips": rows, "rungs": fractions(rows)}
        write_json(out / "ladder-summary.json", summary)
        plot(rows, args.figure, f"{args.checkpoint}, {len(rows)} {args.level} chip(s), {args.mismatch} "
                                f"x{args.scale:g}: sMAPE per chip")
    for col, f in summary["rungs"].items():
        print(f"{col:11s} median {f['median']:.2f}  worst {f['worst']:.2f}  within 10 % of nominal "
              f"{100 * f['within_10pct_of_nominal']:.0f} % of {f['n']}")


if __name__ == "__main__":
    main()
