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
import json
import time
from dataclasses import replace
from pathlib import Path

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


def main() -> None:
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
    ap.add_argument("--seed", type=int, default=0, help="seed of the robust runs' training draws")
    args = ap.parse_args()
    torch.set_num_threads(1)
    out = Path(args.out)
    source = Path(args.source)
    runs = {"source": {"path": str(source)}}
    t = time.perf_counter()
    runs["ordinary"] = {"path": str(out / "ordinary"), **ordinary(source, out / "ordinary", args.iterations)}
    print(f"ordinary: {time.perf_counter() - t:.1f} s")
    jobs = [(f"robust-s{s:g}", s, True, False) for s in args.train_scales] + [
        (f"robust-s{args.batch_scale:g}-b", args.batch_scale, False, False)] + [
        (f"robust-0..{s:g}", s, True, True) for s in args.range_scales]
    for name, scale, per_sequence, scale_range in jobs:
        t = time.perf_counter()
        r = retrain_robust(source, out / name, scale=scale, seed=args.seed, iterations=args.iterations,
                           per_sequence=per_sequence, scale_range=scale_range, chips=1, progress=False)
        runs[name] = {"path": str(out / name), "smape": r["smape"], "train_seconds": r["train_seconds"],
                      "scale": scale, "per_sequence": per_sequence}
        print(f"{name}: {time.perf_counter() - t:.1f} s (training {r['train_seconds']} s)")
    seeds = eval_seeds(args.chips)
    spec = load_spec("sky130")
    for run in runs.values():
        ck = load_mtcsn(run["path"])
        run["chips"] = {f"{s:g}": evaluate_on_chips(ck, spec.scaled(s), seeds) for s in args.eval_scales}
        run["within_5pct_up_to_scale"] = within(run["chips"])
    write_json(out / "results.json", {"seeds": seeds, "eval_scales": args.eval_scales, "runs": runs})
    print(f"\nmodel-level test sMAPE on circuit chips {seeds[0]}-{seeds[-1]} (sky130 spec x scale): median / p90")
    print("| model | nominal | " + " | ".join(f"sigma x {s:g}" for s in args.eval_scales) + " | within 5 % up to |")
    print("|---|---|" + "---|" * len(args.eval_scales) + "---|")
    for name, run in runs.items():
        cells = [f"{run['chips'][f'{s:g}']['median']:.2f} / {run['chips'][f'{s:g}']['p90']:.2f}"
                 for s in args.eval_scales]
        nominal = run["chips"][f"{args.eval_scales[0]:g}"]["nominal"]
        print(f"| {name} | {nominal:.2f} | " + " | ".join(cells) + f" | x{run['within_5pct_up_to_scale']:g} |")
    print(json.dumps({k: v.get("train_seconds") for k, v in runs.items()}))


if __name__ == "__main__":
    main()
