"""Would one network's forecast gain from fading towards the series' mean as its free run ages?

    PYTHONPATH=. python bench/ar_damped.py "mtcsn ar closed 75-225 noise 0.2 it2000" [--repeats 0 30]

Beyond the predictability horizon the forecast with the least error is the series' mean, which a deterministic
free run cannot produce; the members' free runs averaged outside the loop come closer to it. This asks whether
a single network gets there by fading: the reported forecast h steps into the free run is
mu + exp(-h / tau) (y_h - mu), mu the train part's mean; the network is still fed its own y_h. tau is fitted per
network on free runs inside its own train part (from samples 150-450 to its end), never on the test part. Prints,
over every kept network of the trial (bench/ar_repeat_ensemble.py's members), the test sMAPE without fading,
with the fitted tau, and with each tau of the grid for all (a choice on the test part: an upper bound).
"""
from __future__ import annotations

import argparse

import numpy as np
import torch
from ar_ensemble import free_run, mean_loop
from ar_repeat_ensemble import members

from mtcsn_hw.tasks.metrics import smape
from mtcsn_hw.training.fronts import AR_TRIALS

TAUS = (np.inf, 3000, 2000, 1500, 1000, 750, 500, 375, 250, 150)
STARTS = (150, 225, 300, 375, 450)   # free runs inside the train part: 300-600 steps


def faded(y: np.ndarray, mu: float, tau: float) -> np.ndarray:
    return y if np.isinf(tau) else mu + np.exp(-np.arange(1, len(y) + 1) / tau) * (y - mu)


def fitted_tau(ck) -> tuple[float, float]:
    """(tau, mu): the train part's mean mu, and the tau of the grid with the lowest mean sMAPE over free runs
    inside the network's own train part."""
    s, norm = ck.series, ck.normaliser
    mu = s.x[:s.n_train].mean()
    runs = [(norm.inverse(mean_loop([ck], n0, s.n_train - n0)), s.x[n0:s.n_train]) for n0 in STARTS]
    return TAUS[int(np.argmin([np.mean([smape(faded(y, mu, t), x) for y, x in runs]) for t in TAUS]))], mu


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("trial", choices=[t.name for t in AR_TRIALS], metavar="TRIAL")
    ap.add_argument("--repeats", type=int, nargs=2, default=[0, 30], metavar=("FIRST", "END"))
    args = ap.parse_args()
    torch.set_num_threads(1)
    rows = []
    for r in range(*args.repeats):
        for ck in members([args.trial], r):
            truth, pred = free_run([ck])
            tau, mu = fitted_tau(ck)
            rows.append([smape(faded(pred, mu, tau), truth)] + [smape(faded(pred, mu, t), truth) for t in TAUS])
            print(f"repeat {r}: fitted tau {tau:g}, test {rows[-1][1]:.2f} unfaded, {rows[-1][0]:.2f} faded",
                  flush=True)
    v = np.array(rows)
    print(f"{len(v)} networks: unfaded {v[:, 1].mean():.2f}, tau fitted on the train part {v[:, 0].mean():.2f} "
          f"({int((v[:, 0] != v[:, 1]).sum())} networks faded)")
    print("one tau for all (chosen on the test part): "
          + ", ".join(f"{t:g} {m:.2f}" for t, m in zip(TAUS, v[:, 1:].mean(0), strict=True)))


if __name__ == "__main__":
    main()
