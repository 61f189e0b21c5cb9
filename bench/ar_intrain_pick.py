"""Does a free run inside the train part pick the networks that forecast well on windows no repeat tests on?

    PYTHONPATH=. python bench/ar_intrain_pick.py [TRIAL...] [--starts 100 200 300 400]

For every training of each trial that bench/ar_fresh_windows.py has scored (runs/fronts/
autoregressive_fresh_windows.json), free-run it from each start sample to the end of its own train part
(teacher-forced before), the only long free runs NeuroBench's protocol allows. Prints how well their mean
sMAPE ranks the training's mean over the fresh windows and its own repeat's test, and, per repeat, what the
training with the lowest in-train score gives on both.
"""
from __future__ import annotations

import argparse

import numpy as np
import torch
from ar_ensemble import mean_loop  # bench/ (this script's folder is on sys.path)
from ar_fresh_windows import SCORES, checkpoints, own_tests  # bench/
from scipy.stats import spearmanr
from tqdm import tqdm

from mtcsn_hw.tasks.metrics import smape
from mtcsn_hw.training.checkpoint import load_checkpoint
from mtcsn_hw.training.fronts import load_records

RECIPES = ("mtcsn ar closed 75-225 noise 0.2 it2000", "mtcsn ar closed 75-225 noise 0.2 it2000 h24")


def in_train(ck, starts) -> float:
    """Mean sMAPE of free runs from each start to the end of the train part, teacher-forced before."""
    s = ck.series
    return float(np.mean([smape(ck.normaliser.inverse(mean_loop([ck], n0, s.n_train - n0)), s.x[n0:s.n_train])
                          for n0 in starts]))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("trials", nargs="*", default=list(RECIPES), metavar="TRIAL",
                    help="trials scored on the fresh windows (default: the drawn-length recipe at 48 and 24 neurons)")
    ap.add_argument("--starts", nargs="+", type=int, default=[100, 200, 300, 400], help="start samples of the runs")
    args = ap.parse_args()
    torch.set_num_threads(1)
    own = own_tests()
    for trial in args.trials:
        scored = [x for x in load_records(SCORES) if x["trial"] == trial and (trial, x["seed"]) in own]
        if not scored:
            raise SystemExit(f"no fresh-window scores of {trial!r}: run bench/ar_fresh_windows.py first")
        rows = [(x["repeat"], float(np.mean(x["smape"])), own[(trial, x["seed"])],
                 in_train(load_checkpoint(checkpoints(trial, x["repeat"])[x["seed"]]), args.starts))
                for x in tqdm(scored, desc=trial, leave=False)]
        r, fresh, test, score = (np.array(c) for c in zip(*rows, strict=True))
        print(f"{trial}, {len(rows)} trainings: in-train score against the fresh windows Spearman "
              f"{spearmanr(score, fresh).statistic:+.2f}, against the own test {spearmanr(score, test).statistic:+.2f}")
        picks = [min(np.flatnonzero(r == k), key=lambda i: score[i]) for k in np.unique(r)]
        print(f"  per repeat, the lowest in-train score: fresh windows {fresh[picks].mean():.2f} (all "
              f"{fresh.mean():.2f}), own test {test[picks].mean():.2f} (all, per repeat "
              f"{np.mean([test[r == k].mean() for k in np.unique(r)]):.2f}), {len(picks)} repeats")


if __name__ == "__main__":
    main()
