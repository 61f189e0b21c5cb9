"""One network's forecast as the mean of K noisy free runs, against its plain free run.

    PYTHONPATH=. python bench/ar_noisy_mean.py TRIAL [--noise 0.01 0.03 0.1] [--runs 16] [--repeats 0 30]
                                              [--windows 50 80 | --own]

Every checkpoint of TRIAL trained on repeats A..B-1 (seed r, and seeds r + 1000 k: see ar_fresh_windows.py)
forecasts by training.noisy_mean (K free runs side by side, each fed its predictions plus Gaussian noise of
each std, averaged). --windows scores it on windows W0..W1-1 after NeuroBench's last test part (choosing the
noise there touches no repeat's test part); --own on its repeat's own test part, NeuroBench's protocol.
Noise 0 is the plain free run. Prints each noise's mean over the checkpoints, paired against noise 0, and
with --own the mean over the repeats of each training round (seed // 1000) and its t-test against 13.37.
"""
from __future__ import annotations

import argparse

import numpy as np
import torch
from ar_fresh_windows import FIRST_FRESH, checkpoints  # bench/ (this script's folder is on sys.path)
from ar_windows import long_series, slice_at  # bench/
from scipy.stats import ttest_1samp
from tqdm import tqdm

from mtcsn_hw.tasks.metrics import smape
from mtcsn_hw.training.checkpoint import load_checkpoint
from mtcsn_hw.training.fronts import repeat_offset
from mtcsn_hw.training.fronts_report import LEADERBOARD
from mtcsn_hw.training.noisy_mean import noisy_mean_forecast


def scores(ck, parts, noises, runs: int) -> np.ndarray:
    """(noises, parts) sMAPE of the checkpoint's noisy-mean forecast on each series part."""
    return np.array([[smape(noisy_mean_forecast(ck.model, s, ck.normaliser, runs if z else 1, z, seed=i),
                            s.x[s.n_train:s.n_train + s.n_test]) for i, s in enumerate(parts)] for z in noises])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("trial")
    ap.add_argument("--noise", nargs="+", type=float, default=[0.01, 0.03, 0.1], help="stds to try (normalised)")
    ap.add_argument("--runs", type=int, default=16, help="free runs averaged (default 16)")
    ap.add_argument("--repeats", nargs=2, type=int, default=(0, 30), metavar=("A", "B"))
    where = ap.add_mutually_exclusive_group()
    where.add_argument("--windows", nargs=2, type=int, default=(FIRST_FRESH, FIRST_FRESH + 30), metavar=("W0", "W1"))
    where.add_argument("--own", action="store_true", help="each checkpoint's own test part (NeuroBench)")
    args = ap.parse_args()
    torch.set_num_threads(1)
    noises = [0.0, *args.noise]
    long = long_series(max(args.windows[1], args.repeats[1]))
    found = [(r, seed, path) for r in range(*args.repeats) for seed, path in checkpoints(args.trial, r).items()]
    rows = {}
    for r, seed, path in tqdm(found, desc="checkpoints"):
        ck = load_checkpoint(path)
        offsets = [repeat_offset(r)] if args.own else [repeat_offset(w) for w in range(*args.windows)]
        rows[(r, seed)] = scores(ck, [slice_at(long, o, ck.series) for o in offsets], noises, args.runs).mean(axis=1)
    if not rows:
        raise SystemExit(f"no checkpoints of {args.trial!r} on repeats {args.repeats[0]}-{args.repeats[1] - 1}")
    table = np.array(list(rows.values()))  # (checkpoints, noises)
    print(f"{args.trial}, {len(rows)} checkpoints, {'own test parts' if args.own else f'windows {args.windows}'}, "
          f"{args.runs} runs")
    for j, z in enumerate(noises):
        d = table[:, j] - table[:, 0]
        print(f"noise {z:g}: {table[:, j].mean():.2f} ± {table[:, j].std(ddof=1) if len(table) > 1 else 0:.2f}"
              + (f"; against noise 0: {d.mean():+.2f} ± {d.std(ddof=1) if len(d) > 1 else 0:.2f}, "
                 f"lower on {int((d < 0).sum())} of {len(d)}" if z else ""))
    if args.own:
        for k in sorted({seed // 1000 for _, seed in rows}):
            keys = [key for key in rows if key[1] // 1000 == k]
            for j, z in enumerate(noises):
                v = np.array([rows[key][j] for key in keys])
                p = ttest_1samp(v, LEADERBOARD["LSTM"]).pvalue if len(v) > 1 else float("nan")
                print(f"round {k} ({len(v)} repeats), noise {z:g}: {v.mean():.2f} ± {v.std(ddof=1):.2f}, "
                      f"{int((v < LEADERBOARD['LSTM']).sum())} below {LEADERBOARD['LSTM']}, t-test p = {p:.2f}")


if __name__ == "__main__":
    main()
