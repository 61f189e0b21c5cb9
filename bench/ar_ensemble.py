"""Does averaging several networks' outputs inside the closed loop keep the autoregressive free run in phase?

    PYTHONPATH=. python bench/ar_ensemble.py "mtcsn ar closed 75 noise 0.2 it2000" --seeds 0 1 2 [--windows 30]

Loads the trial's checkpoints from runs/fronts/autoregressive/ (bench/fronts.py --autoregressive writes
them), warms each up teacher-forced on the train part, then feeds every network the members' mean
prediction for the 750 test steps (an ensemble of K networks is K times the neurons). Prints each
member's own test sMAPE, the ensemble's, and the sMAPE per Lyapunov time (75 steps), which shows whether
the members drift off on the same stretches of the series (then averaging cannot help much). With --windows N:
the means over NeuroBench's first N test windows (bench/ar_windows.py) of each member, of the ensemble in the
loop, and of the members' own free runs averaged outside the loop. Both modes first print the validation free
run (the held-out tail of the train part, what the trials are picked on) of the members and of both ensembles.
"""
from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np
import torch
from ar_windows import long_series, window_series  # bench/ (this script's folder is on sys.path)

from mtcsn_hw.errors import MTCSNError
from mtcsn_hw.tasks.forecasting import validation_split
from mtcsn_hw.tasks.mackey_glass import SAMPLES_PER_LYAPUNOV
from mtcsn_hw.tasks.metrics import smape
from mtcsn_hw.training.checkpoint import load_checkpoint
from mtcsn_hw.training.fronts import VAL_FRACTION, checkpoint_dir
from mtcsn_hw.training.fronts_report import LEADERBOARD

RUNS = Path(__file__).resolve().parents[1] / "runs" / "fronts" / "autoregressive"


def members_mean(y: torch.Tensor) -> torch.Tensor:
    return y.mean(0)


def mean_loop(checkpoints, n0: int, steps: int, nudge: float = 0.0, series=None, combine=members_mean) -> np.ndarray:
    """Free run (normalised units) after a teacher-forced warm-up on samples [0, n0) of `series` (default: the
    first checkpoint's): every member is fed `combine` (default the mean) of the members' predictions stacked
    along dimension 0, the first step's nudged by `nudge`."""
    first = checkpoints[0]
    series = first.series if series is None else series
    u = torch.tensor(first.normaliser(series.x[:n0]), dtype=torch.float32).reshape(-1, 1, 1)
    preds = []
    with torch.no_grad():
        outs = [ck.model.eval()(u) for ck in checkpoints]
        states, y = [o.state for o in outs], combine(torch.stack([o.y[-1:] for o in outs])) + nudge
        for _ in range(steps):
            preds.append(y.item())
            out = [ck.model(y, s) for ck, s in zip(checkpoints, states, strict=True)]
            states, y = [s.state for s in out], combine(torch.stack([s.y for s in out]))
    return np.array(preds)


def free_run(checkpoints, series=None) -> tuple[np.ndarray, np.ndarray]:
    """(truth, mean prediction) over the test part of `series` (default: the first checkpoint's), in its units."""
    series = checkpoints[0].series if series is None else series
    y_pred = checkpoints[0].normaliser.inverse(mean_loop(checkpoints, series.n_train, series.n_test, series=series))
    return series.x[series.n_train:series.n_train + series.n_test], y_pred


def own_and_averaged(checkpoints, series=None) -> tuple[list, float]:
    """Each member's own test sMAPE over the test part of `series`, and that of their own free runs averaged
    outside the loop."""
    runs = [free_run([ck], series) for ck in checkpoints]
    truth = runs[0][0]
    return [smape(y, truth) for _, y in runs], smape(np.mean([y for _, y in runs], axis=0), truth)


def over_windows(cks, n: int) -> dict:
    """Per window: each member's own free-run sMAPE, the in-loop ensemble's, and the mean of the members' own
    free runs (averaged outside the loop)."""
    long = long_series(n)
    own, in_loop, outside = [], [], []
    for r in range(n):
        series = window_series(cks[0], long, r)
        members, averaged = own_and_averaged(cks, series)
        own.append(members)
        outside.append(averaged)
        truth, pred = free_run(cks, series)
        in_loop.append(smape(pred, truth))
    return {"own": np.array(own), "in_loop": np.array(in_loop), "outside": np.array(outside)}


def validation(cks) -> tuple[list, float, float]:
    """sMAPE of the held-out validation free run (the train part's tail, as the trials pick on it): each
    member's, the in-loop ensemble's and that of the members' own free runs averaged."""
    s, norm = cks[0].series, cks[0].normaliser
    n0, n1 = validation_split(s.n_train, VAL_FRACTION, "autoregressive", 1)
    truth = s.x[n0:n1]
    own = [norm.inverse(mean_loop([ck], n0, n1 - n0)) for ck in cks]
    in_loop = norm.inverse(mean_loop(cks, n0, n1 - n0))
    return [smape(y, truth) for y in own], smape(in_loop, truth), smape(np.mean(own, axis=0), truth)


def _stats(x: np.ndarray) -> str:
    return f"{x.mean():.2f} +- {x.std(ddof=1):.2f} ({int((x < LEADERBOARD['LSTM']).sum())} of {len(x)} below " \
           f"{LEADERBOARD['LSTM']})"


def per_lyapunov(y_pred, y_true) -> str:
    n = SAMPLES_PER_LYAPUNOV
    return ", ".join(f"{smape(y_pred[i:i + n], y_true[i:i + n]):.1f}" for i in range(0, len(y_true), n))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("trial", help="an autoregressive trial of mtcsn_hw.training.fronts.AR_TRIALS")
    ap.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    ap.add_argument("--windows", type=int, metavar="N",
                    help="instead: means over NeuroBench's first N test windows (30), without retraining")
    args = ap.parse_args()
    torch.set_num_threads(1)
    try:
        cks = [load_checkpoint(checkpoint_dir(RUNS, args.trial, s)) for s in args.seeds]
    except MTCSNError as e:
        raise SystemExit(f"ar_ensemble: {e} (bench/fronts.py --autoregressive writes the checkpoints)") from None
    own_val, in_loop_val, outside_val = validation(cks)
    print(f"validation: members {', '.join(f'{v:.2f}' for v in own_val)}; in the loop {in_loop_val:.2f}; "
          f"members' own free runs averaged {outside_val:.2f}")
    if args.windows:
        w = over_windows(cks, args.windows)
        for seed, col in zip(args.seeds, w["own"].T, strict=True):
            print(f"seed {seed}: {_stats(col)}")
        print(f"members' mean {w['own'].mean():.2f}")
        print(f"ensemble in the loop: {_stats(w['in_loop'])}")
        print(f"members' own free runs averaged: {_stats(w['outside'])}")
        return
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
