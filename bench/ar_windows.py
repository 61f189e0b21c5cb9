"""How much does the autoregressive test sMAPE depend on which 750 steps it is measured on?

    PYTHONPATH=. python bench/ar_windows.py [--trials NAME...] [--windows 30]

Every recorded autoregressive run of runs/fronts/autoregressive.json whose checkpoint is in
runs/fronts/autoregressive/ is run, without retraining, on NeuroBench's test windows: window r is the
750 samples after the train part of the series shifted by repeat_offset(r) (r = 0 is the run's own test
part), warmed up teacher-forced on the 750 samples before it. Prints each run's mean, spread and median
over the windows and how many windows beat the LSTM's 13.37, then, over the MTCSN runs, how well the
validation sMAPE and the window-0 test sMAPE predict the mean over the windows. (NeuroBench's protocol
retrains for every repeat: bench/fronts.py --autoregressive --repeats.)
"""
from __future__ import annotations

import argparse
import json
from pathlib import Path

import numpy as np
import torch
from scipy.stats import spearmanr

from mtcsn_hw.tasks.mackey_glass import SAMPLES_PER_LYAPUNOV, MackeyGlassSeries, neurobench_series
from mtcsn_hw.tasks.metrics import smape
from mtcsn_hw.training.checkpoint import load_checkpoint
from mtcsn_hw.training.evaluate import predict
from mtcsn_hw.training.fronts import checkpoint_dir, repeat_offset
from mtcsn_hw.training.fronts_report import LEADERBOARD

ROOT = Path(__file__).resolve().parents[1] / "runs" / "fronts"


def long_series(n: int) -> MackeyGlassSeries:
    """The offset-0 NeuroBench series long enough for n windows."""
    return neurobench_series(train_lyap=10 + repeat_offset(n) / SAMPLES_PER_LYAPUNOV + 1, test_lyap=10)


def slice_at(long: MackeyGlassSeries, offset: int, like: MackeyGlassSeries) -> MackeyGlassSeries:
    """The part of `long` (a series from offset 0) that starts `offset` samples in, shaped like `like`."""
    span = like.n_train + like.n_test + 1
    return MackeyGlassSeries(t=long.t[offset:offset + span], x=long.x[offset:offset + span], n_train=like.n_train,
                             n_test=like.n_test, sample_dt=like.sample_dt)


def window_series(ck, long: MackeyGlassSeries, r: int) -> MackeyGlassSeries:
    """Window r: the checkpoint's train and test parts, the series shifted by repeat_offset(r) samples."""
    if not np.allclose(long.x[:len(ck.series.x)], ck.series.x, atol=1e-9):
        raise SystemExit("the checkpoint's series is not the offset-0 NeuroBench series")
    return slice_at(long, repeat_offset(r), ck.series)


def windows(ck, long: MackeyGlassSeries, n: int) -> np.ndarray:
    """Free-run test sMAPE on each of the first n NeuroBench windows of `long` (a series from offset 0)."""
    out = []
    for r in range(n):
        p = predict(ck.model, window_series(ck, long, r), ck.normaliser, "autoregressive", 1)
        out.append(smape(p["y_pred"], p["y_true"]))
    return np.array(out)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--trials", nargs="+", metavar="NAME", help="only these trials (default: every recorded one)")
    ap.add_argument("--windows", type=int, default=30, help="how many windows (NeuroBench: 30)")
    args = ap.parse_args()
    torch.set_num_threads(1)
    long = long_series(args.windows)
    rows = []
    for rec in json.loads((ROOT / "autoregressive.json").read_text()):
        path = checkpoint_dir(ROOT / "autoregressive", rec["trial"], rec["seed"])
        if (args.trials and rec["trial"] not in args.trials) or not path.exists():
            continue
        w = windows(load_checkpoint(path), long, args.windows)
        rows.append({"trial": rec["trial"], "model": rec["model"], "seed": rec["seed"], "val": rec["val"]["smape"],
                     "test": rec["test"]["smape"], "windows": w})
        print(f"{rec['trial']} s{rec['seed']}: windows {w.mean():.2f} ± {w.std(ddof=1):.2f}, median "
              f"{np.median(w):.2f}, {int((w < LEADERBOARD['LSTM']).sum())} of {len(w)} below "
              f"{LEADERBOARD['LSTM']} (window 0: {w[0]:.2f}, val {rec['val']['smape']:.2f})", flush=True)
    mt = [r for r in rows if r["model"] == "mtcsn"]
    if len(mt) > 2:
        mean = np.array([r["windows"].mean() for r in mt])
        for name in ("val", "test"):
            c = np.array([r[name] for r in mt])
            print(f"{name:4s} vs the mean over windows, {len(mt)} MTCSN runs: Pearson r "
                  f"{np.corrcoef(c, mean)[0, 1]:+.2f}, Spearman {spearmanr(c, mean).statistic:+.2f}")


if __name__ == "__main__":
    main()
