"""Does picking a checkpoint inside a closed-loop run fix the autoregressive spread over seeds?

    PYTHONPATH=. python bench/ar_snapshots.py --noise 0.2 --seeds 0 1 2 3 4 5

Trains the MTCSN front trial "closed loop 75, input noise N" (48 neurons, fronts' budget) and, every `--every`
iterations from half the run on, scores the snapshot three ways: its test sMAPE (reported, never used to
pick), its 150-step validation free run (the fronts' pick), and an attractor distance: the RMS difference
between the autocorrelation (lags 0-149) of a free run from the end of the fit part (1500 steps, the first
300 dropped) and the fit part's own. Prints one JSON line per snapshot, then the test sMAPE over seeds of
the last snapshot and of the snapshot each criterion picks.
"""
from __future__ import annotations

import argparse
import json

import numpy as np
import torch

from mtcsn_hw.tasks.forecasting import fit_samples, validation_split
from mtcsn_hw.training.evaluate import metrics, predict
from mtcsn_hw.training.fronts import Trial
from mtcsn_hw.training.loop import fit

LAGS, FREE_STEPS, DROP = 150, 1500, 300


def autocorrelation(x: np.ndarray, lags: int) -> np.ndarray:
    x = x - x.mean()
    return np.array([(x[:len(x) - k] * x[k:]).sum() for k in range(lags)]) / (x * x).sum()


def snapshots(noise: float, seed: int, every: int) -> list[dict]:
    cfg = Trial("snapshots", "mtcsn", {"closed_loop": 75, "input_noise": noise}, "autoregressive").config(seed)
    rows = []

    def score(done, model, series, norm):
        if done % every or done < cfg.iterations // 2:
            return
        u, n_fit = norm(series.x), fit_samples(series.n_train, cfg.val_fraction)
        # the test's closed loop, run on past the end of the data (its y_true is cut short there, and unused)
        run = predict(model, series, norm, cfg.protocol, cfg.horizon, span=(n_fit, n_fit + FREE_STEPS))["y_pred"][DROP:]
        span = validation_split(series.n_train, cfg.val_fraction, cfg.protocol, cfg.horizon)
        rows.append({"seed": seed, "iteration": done,
                     "attractor": float(np.sqrt(np.mean((autocorrelation(run, LAGS)
                                                         - autocorrelation(u[:n_fit], LAGS)) ** 2))),
                     "val": metrics(predict(model, series, norm, cfg.protocol, cfg.horizon, span=span),
                                    model.binary)["smape"],
                     "test": metrics(predict(model, series, norm, cfg.protocol, cfg.horizon), model.binary)["smape"]})
        print(json.dumps(rows[-1]), flush=True)

    fit(cfg, progress=False, on_step=score)
    return rows


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--noise", type=float, default=0.2)
    ap.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2, 3, 4, 5])
    ap.add_argument("--every", type=int, default=25)
    args = ap.parse_args()
    torch.set_num_threads(1)
    runs = [snapshots(args.noise, s, args.every) for s in args.seeds]
    picks = {"last snapshot": lambda rs: rs[-1], "best validation": lambda rs: min(rs, key=lambda r: r["val"]),
             "best attractor": lambda rs: min(rs, key=lambda r: r["attractor"])}
    for name, pick in picks.items():
        test = [pick(rs)["test"] for rs in runs]
        print(f"{name:16s} test sMAPE {np.mean(test):.2f} +- {np.std(test):.2f}  "
              f"({', '.join(f'{t:.1f}' for t in test)})")


if __name__ == "__main__":
    main()
