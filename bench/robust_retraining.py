"""Robust retraining against ordinary training, on circuit chips training never saw.

    PYTHONPATH=. python bench/robust_retraining.py [--source models/mg-mtcsn] [--out out/robust-bench]

From one source checkpoint, side by side in one run (same iterations, same windows, warm-started):
  ordinary     the source trained on with no mismatch (the equal-budget control)
  robust-sS    robust retraining at sigma x S, one chip per sequence (S in --train-scales)
  robust-sS-b  the same with one chip per batch (--batch-scale): which is better and cheaper
  robust-0..S  chips from nominal up to sigma x S, each its own uniform fraction (--range-scales)
and the source itself. Each is scored at the model level on circuit chips EVAL_SEED0 ... + --chips - 1 of
the sky130 spec at every sigma scale of --eval-scales (retraining.robust.evaluate_on_chips: the engine's
chips, each mapped onto the model). Prints a markdown table and writes OUT/results.json; the largest scale at
which each model's median stays within 5 % of its nominal is listed.
"""
from __future__ import annotations

import argparse
import time
from dataclasses import replace
from pathlib import Path

import numpy as np
import torch

from mtcsn_hw.atomic import write_json
from mtcsn_hw.circuit.mismatch import load_spec
from mtcsn_hw.retraining.robust import eval_seeds, evaluate_on_chips, load_mtcsn, retrain_robust
from mtcsn_hw.training.checkpoint import save_checkpoint
from mtcsn_hw.training.evaluate import metrics, predict
from mtcsn_hw.training.loop import fit


def ordinary(source: Path, out: Path, iterations: int) -> dict:
    ck = load_mtcsn(source)
    cfg = replace(ck.config, iterations=iterations)
    model, series, norm, history = fit(cfg, series=ck.series, progress=False, model=ck.model)
    m = metrics(predict(model, series, norm, cfg.protocol, cfg.horizon), model.binary)
    m["train_seconds"] = round(history["train_seconds"], 2)
    save_checkpoint(out, model, cfg, series, norm, m)
    return m


def within(summary_by_scale: dict, tolerance: float = 0.05) -> float:
    """The largest scale up to which the median stays within tolerance of the model's own nominal."""
    ok = 0.0
    for scale, s in sorted(summary_by_scale.items(), key=lambda kv: float(kv[0])):
        if s["median"] > (1 + tolerance) * s["nominal"]:
            break
        ok = float(scale)
    return ok


def parse_args():
    ap = argparse.ArgumentParser()
    ap.add_argument("--source", default="models/mg-mtcsn")
    ap.add_argument("--out", default="out/robust-bench")
    ap.add_argument("--iterations", type=int, default=100)
    ap.add_argument("--train-scales", type=float, nargs="+", default=[1.0, 2.0, 4.0])
    ap.add_argument("--batch-scale", type=float, default=2.0)
    ap.add_argument("--range-scales", type=float, nargs="*", default=[4.0],
                    help="robust runs on chips from nominal up to sigma x S (robust-0..S)")
    ap.add_argument("--eval-scales", type=float, nargs="+", default=[1.0, 2.0, 3.0, 4.0, 6.0, 8.0])
    ap.add_argument("--chips", type=int, default=20)
    ap.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2], help="seeds of the robust runs' draws")
    return ap.parse_args()


def train_all(args, source: Path, out: Path) -> dict:
    """name -> [checkpoint path per seed] (the source and the ordinary run have one)."""
    runs = {"source": [source]}
    t = time.perf_counter()
    ordinary(source, out / "ordinary", args.iterations)
    runs["ordinary"] = [out / "ordinary"]
    print(f"ordinary: {time.perf_counter() - t:.1f} s")
    jobs = [(f"robust-s{s:g}", s, True, False) for s in args.train_scales] + [
        (f"robust-s{args.batch_scale:g}-b", args.batch_scale, False, False)] + [
        (f"robust-0..{s:g}", s, True, True) for s in args.range_scales]
    for name, scale, per_sequence, scale_range in jobs:
        runs[name] = []
        for seed in args.seeds:
            path = out / f"{name}-seed{seed}"
            r = retrain_robust(source, path, scale=scale, seed=seed, iterations=args.iterations,
                               per_sequence=per_sequence, scale_range=scale_range, chips=1, progress=False)
            runs[name].append(path)
            print(f"{name} seed {seed}: training {r['train_seconds']} s")
    return runs


def mean_std(values) -> str:
    v = np.asarray(values, float)
    return f"{v.mean():.2f}" if v.size == 1 else f"{v.mean():.2f} ± {v.std(ddof=1):.2f}"


def table(results: dict, scales) -> list[str]:
    lines = ["| model | nominal | " + " | ".join(f"σ × {s:g}: median / p90" for s in scales)
             + " | median within 5 % of nominal up to |", "|---|---|" + "---|" * len(scales) + "---|"]
    for name, per_seed in results.items():
        nominal = mean_std([r[f"{scales[0]:g}"]["nominal"] for r in per_seed])
        cells = [f"{mean_std([r[f'{s:g}']['median'] for r in per_seed])} / "
                 f"{mean_std([r[f'{s:g}']['p90'] for r in per_seed])}" for s in scales]
        ok = "/".join(f"×{within(r):g}" for r in per_seed)
        lines.append(f"| {name} | {nominal} | " + " | ".join(cells) + f" | {ok} |")
    return lines


def main() -> None:
    args = parse_args()
    torch.set_num_threads(1)
    out, source = Path(args.out), Path(args.source)
    runs = train_all(args, source, out)
    seeds = eval_seeds(args.chips)
    spec = load_spec("sky130")
    results = {name: [{f"{s:g}": evaluate_on_chips(load_mtcsn(p), spec.scaled(s), seeds) for s in args.eval_scales}
                      for p in paths] for name, paths in runs.items()}
    write_json(out / "results.json", {"chip_seeds": seeds, "draw_seeds": args.seeds, "eval_scales": args.eval_scales,
                                      "runs": {k: [str(p) for p in v] for k, v in runs.items()}, "results": results})
    print(f"\nmodel-level test sMAPE on circuit chips {seeds[0]}-{seeds[-1]} (sky130 spec x scale), "
          f"robust runs: mean ± std over draw seeds {args.seeds}")
    print("\n".join(table(results, args.eval_scales)))


if __name__ == "__main__":
    main()
