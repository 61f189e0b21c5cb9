"""Does averaging several networks' outputs inside the closed loop keep the autoregressive free run in phase?

    PYTHONPATH=. python bench/ar_ensemble.py "mtcsn ar closed 75 noise 0.2 it2000" --seeds 0 1 2

Loads the trial's checkpoints from runs/fronts/autoregressive/ (bench/fronts.py --autoregressive writes
them), warms each up teacher-forced on the train part, then feeds every network the members' mean
prediction for the 750 test steps (an ensemble of K networks is K times the neurons). Prints each
member's own test sMAPE, the ensemble's, and the sMAPE per Lyapunov time (75 steps), which shows whether
the members drift off on the same stretches of the series (then averaging cannot help much).
"""
from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np
import torch

from mtcsn_hw.tasks.mackey_glass import SAMPLES_PER_LYAPUNOV
from mtcsn_hw.tasks.metrics import smape
from mtcsn_hw.training.checkpoint import load_checkpoint
from mtcsn_hw.training.fronts import checkpoint_dir

RUNS = Path(__file__).resolve().parents[1] / "runs" / "fronts" / "autoregressive"


def mean_loop(checkpoints, n0: int, steps: int, nudge: float = 0.0) -> np.ndarray:
    """Free run (normalised units) after a teacher-forced warm-up on samples [0, n0): every member is fed the
    members' mean prediction, the first one nudged by `nudge`."""
    first = checkpoints[0]
    u = torch.tensor(first.normaliser(first.series.x[:n0]), dtype=torch.float32).reshape(-1, 1, 1)
    preds = []
    with torch.no_grad():
        outs = [ck.model.eval()(u) for ck in checkpoints]
        states, y = [o.state for o in outs], torch.stack([o.y[-1:] for o in outs]).mean(0) + nudge
        for _ in range(steps):
            preds.append(y.item())
            out = [ck.model(y, s) for ck, s in zip(checkpoints, states, strict=True)]
            states, y = [s.state for s in out], torch.stack([s.y for s in out]).mean(0)
    return np.array(preds)


def free_run(checkpoints) -> tuple[np.ndarray, np.ndarray]:
    """(truth, mean prediction) over the test part, in the series' units."""
    series, norm = checkpoints[0].series, checkpoints[0].normaliser
    y_pred = norm.inverse(mean_loop(checkpoints, series.n_train, series.n_test))
    return series.x[series.n_train:series.n_train + series.n_test], y_pred


def per_lyapunov(y_pred, y_true) -> str:
    n = SAMPLES_PER_LYAPUNOV
    return ", ".join(f"{smape(y_pred[i:i + n], y_true[i:i + n]):.1f}" for i in range(0, len(y_true), n))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("trial", help="an autoregressive trial of mtcsn_hw.training.fronts.AR_TRIALS")
    ap.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    args = ap.parse_args()
    torch.set_num_threads(1)
    cks = [load_checkpoint(checkpoint_dir(RUNS, args.trial, s)) for s in args.seeds]
    own = []
    for seed, ck in zip(args.seeds, cks, strict=True):
        y_true, y_pred = free_run([ck])
        own.append(smape(y_pred, y_true))
        print(f"seed {seed}: test sMAPE {own[-1]:.2f}  per Lyapunov time: {per_lyapunov(y_pred, y_true)}")
    y_true, y_pred = free_run(cks)
    print(f"members' mean {np.mean(own):.2f} +- {np.std(own, ddof=1) if len(own) > 1 else 0:.2f}")
    print(f"ensemble of {len(cks)} ({len(cks)} x {cks[0].model.readout.in_features} neurons): test sMAPE "
          f"{smape(y_pred, y_true):.2f}  per Lyapunov time: {per_lyapunov(y_pred, y_true)}")


if __name__ == "__main__":
    main()
