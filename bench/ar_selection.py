"""Does any criterion computed without the test part predict a closed-loop MTCSN's autoregressive test sMAPE?

    PYTHONPATH=. python bench/ar_selection.py

For every recorded closed-loop MTCSN run of runs/fronts/autoregressive.json (seeds 0-2) whose checkpoint is
in runs/fronts/autoregressive/, three criteria from the train part only:
  val          the record's 150-step held-out validation free run (what the fronts pick on);
  in-sample    the mean sMAPE of free runs from samples 100, 200 and 300 to the end of the fit part (600);
  divergence   minus the steps until two free runs from the end of the fit part, one nudged by 1e-3
               (normalised units) at its first step, differ by 0.3: the learned loop's own predictability.
Prints each run, then each criterion's Pearson and Spearman correlation with the test sMAPE over the runs.
"""
from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import torch
from ar_ensemble import mean_loop  # bench/ (this script's folder is on sys.path)
from scipy.stats import spearmanr

from mtcsn_hw.tasks.forecasting import fit_samples
from mtcsn_hw.tasks.metrics import smape
from mtcsn_hw.training.checkpoint import load_checkpoint
from mtcsn_hw.training.evaluate import predict
from mtcsn_hw.training.fronts import VAL_FRACTION, checkpoint_dir

ROOT = Path(__file__).resolve().parents[1] / "runs" / "fronts"
STARTS, FREE, NUDGE, APART = (100, 200, 300), 1500, 1e-3, 0.3


def criteria(ck, n_fit: int) -> dict:
    model, series, norm = ck.model.eval(), ck.series, ck.normaliser
    in_sample = [smape(predict(model, series, norm, "autoregressive", 1, span=(n0, n_fit))["y_pred"],
                       series.x[n0:n_fit]) for n0 in STARTS]
    gap = np.abs(mean_loop([ck], n_fit, FREE) - mean_loop([ck], n_fit, FREE, NUDGE))
    return {"in-sample": float(np.mean(in_sample)),
            "divergence": -float(np.argmax(gap > APART) if (gap > APART).any() else FREE)}


def main() -> None:
    torch.set_num_threads(1)
    rows = []
    for rec in json.loads((ROOT / "autoregressive.json").read_text()):
        path = checkpoint_dir(ROOT / "autoregressive", rec["trial"], rec["seed"])
        if rec["model"] != "mtcsn" or "closed" not in rec["trial"] or rec["seed"] > 2 or not path.exists():
            continue
        ck = load_checkpoint(path)
        rows.append({"trial": rec["trial"], "seed": rec["seed"], "test": rec["test"]["smape"],
                     "val": rec["val"]["smape"], **criteria(ck, fit_samples(ck.series.n_train, VAL_FRACTION))})
        print(json.dumps(rows[-1]), flush=True)
    test = np.array([r["test"] for r in rows])
    for name in ("val", "in-sample", "divergence"):
        c = np.array([r[name] for r in rows])
        print(f"{name:10s} over {len(rows)} runs: Pearson r {np.corrcoef(c, test)[0, 1]:+.2f}, "
              f"Spearman {spearmanr(c, test).statistic:+.2f}")


if __name__ == "__main__":
    main()
