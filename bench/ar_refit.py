"""Does refitting a trial on the whole train part (the validation tail included) help its 750-step free run?

    PYTHONPATH=. python bench/ar_refit.py "mtcsn ar closed 75 noise 0.1 it2000" --seeds 0 1 2

Model selection holds out the last 20 % of NeuroBench's train part; the usual last step of a selection
(scikit-learn's refit) retrains the picked configuration on all of it, here 750 samples against 600. Trains
the trial with val_fraction 0 for each seed, keeps the checkpoint in runs/fronts/autoregressive-refit/, and
prints its test sMAPE and its mean over NeuroBench's first 30 windows (bench/ar_windows.py) beside the
held-out run's (runs/fronts/autoregressive/). Records go to runs/fronts/autoregressive_refit.json.
"""
from __future__ import annotations

import argparse
import dataclasses
import time
from pathlib import Path

import torch
from ar_windows import long_series, windows  # bench/ (this script's folder is on sys.path)

from mtcsn_hw.atomic import write_json
from mtcsn_hw.training.checkpoint import load_checkpoint, save_checkpoint
from mtcsn_hw.training.evaluate import metrics, predict
from mtcsn_hw.training.fronts import AR_TRIALS, checkpoint_dir, load_records
from mtcsn_hw.training.loop import fit

ROOT = Path(__file__).resolve().parents[1] / "runs" / "fronts"
RECORDS = ROOT / "autoregressive_refit.json"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("trial", choices=[t.name for t in AR_TRIALS], metavar="TRIAL")
    ap.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    ap.add_argument("--windows", type=int, default=30)
    args = ap.parse_args()
    torch.set_num_threads(1)
    trial = next(t for t in AR_TRIALS if t.name == args.trial)
    long = long_series(args.windows)
    for seed in args.seeds:
        cfg = dataclasses.replace(trial.config(seed), val_fraction=0.0)
        t0 = time.perf_counter()
        model, series, norm, _ = fit(cfg, progress=False)
        test = metrics(predict(model, series, norm, cfg.protocol, cfg.horizon), model.binary)
        out = checkpoint_dir(ROOT / "autoregressive-refit", trial.name, seed)
        save_checkpoint(out, model, cfg, series, norm, test)
        w = windows(load_checkpoint(out), long, args.windows)
        held = checkpoint_dir(ROOT / "autoregressive", trial.name, seed)
        w_held = windows(load_checkpoint(held), long, args.windows) if held.exists() else None
        rec = {"trial": trial.name, "seed": seed, "test": test["smape"], "windows": w.tolist(),
               "held_out_windows": None if w_held is None else w_held.tolist(),
               "seconds": round(time.perf_counter() - t0, 1)}
        write_json(RECORDS, [r for r in load_records(RECORDS) if (r["trial"], r["seed"]) != (trial.name, seed)]
                   + [rec])
        print(f"{trial.name} s{seed} refit: test {test['smape']:.2f}, windows {w.mean():.2f}"
              + ("" if w_held is None else f" (held out: {w_held.mean():.2f})"), flush=True)


if __name__ == "__main__":
    main()
