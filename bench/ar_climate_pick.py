"""Does a network's climate, its long free run judged against its own train part, pick the good trainings?

    PYTHONPATH=. python bench/ar_climate_pick.py [TRIAL...] [--steps 4000] [--long-reference]

The bad trainings are bad on every fresh window alike. Does their free run settle on a wrong attractor? That could
be judged without any test data. Each training scored on windows 50-79 (bench/ar_fresh_windows.py) free-runs for
--steps steps after a teacher-forced warm-up on its own train part (the first 250 dropped), and its run is
compared with the train part's samples, in normalised units, by three scores:
  values    Wasserstein-1 distance of the value distributions;
  acf       RMS difference of the autocorrelation functions over lags 1-60;
  embedding energy distance of the delay-embedded points (x(t), x(t - 7));
and, not a climate but how soon a network loses its own phase (no data needed either):
  sensitivity its finite-time Lyapunov exponent: how fast a 1e-5 nudge to its fed-back prediction grows, over
              starts in the train part (the series' own: 1/75 a step).
Prints how well each score ranks the fresh-window means, and per repeat what the training with the lowest
score gives there. Measured (5 Dec 2026): no score ranks them (Spearman -0.10 to +0.37), with the train part or
5000 samples of the generating system as the reference: the bad trainings have the right climate. Scores against
the train part are kept in runs/fronts/autoregressive_climate.json and not computed again.
"""
from __future__ import annotations

import argparse
import math

import numpy as np
import torch
from ar_ensemble import mean_loop  # bench/ (this script's folder is on sys.path)
from ar_fresh_windows import FIRST_FRESH, ROOT, SCORES, checkpoints  # bench/
from ar_windows import long_series  # bench/
from scipy.spatial.distance import cdist
from scipy.stats import spearmanr, wasserstein_distance
from tqdm import tqdm

from mtcsn_hw.atomic import write_json
from mtcsn_hw.tasks.mackey_glass import SAMPLES_PER_LYAPUNOV
from mtcsn_hw.training.checkpoint import load_checkpoint
from mtcsn_hw.training.fronts import load_records, repeat_offset

CLIMATE = ROOT / "autoregressive_climate.json"
RECIPES = ("mtcsn ar closed 75-225 noise 0.2 it2000", "mtcsn ar closed 75-225 noise 0.2 it2000 h24")
TRANSIENT, LAGS, DELAY = 250, 60, 7
SCORE_NAMES = ("values", "acf", "embedding", "sensitivity")
NUDGE, FIT_FROM, HORIZON = 1e-5, 100, 500
NUDGE_STARTS = (100, 200, 300, 400, 500, 600, 700)


def acf(x: np.ndarray, lags: int) -> np.ndarray:
    x = x - x.mean()
    return np.array([np.dot(x[:-k], x[k:]) / np.dot(x, x) for k in range(1, lags + 1)])


def energy_distance(a: np.ndarray, b: np.ndarray) -> float:
    """Szekely's energy distance between two point clouds (rows are points)."""
    return float(2 * cdist(a, b).mean() - cdist(a, a).mean() - cdist(b, b).mean())


def embed(x: np.ndarray, stride: int = 1) -> np.ndarray:
    return np.stack([x[DELAY:], x[:-DELAY]], axis=1)[::stride]


def climate_scores(run: np.ndarray, train: np.ndarray) -> dict[str, float]:
    """How far a free run's statistics lie from the train part's (both normalised); 0 is a perfect match."""
    stride = max(1, len(run) // len(train))
    return {"values": float(wasserstein_distance(run, train)),
            "acf": float(np.sqrt(np.mean((acf(run, LAGS) - acf(train, LAGS)) ** 2))),
            "embedding": energy_distance(embed(run, stride), embed(train))}


def sensitivity(ck) -> float:
    """The network's finite-time Lyapunov exponent (per step): the slope of log |gap| over steps FIT_FROM-HORIZON
    between its free run and one whose first fed-back prediction is nudged by NUDGE (normalised units), the mean
    over free runs from each of NUDGE_STARTS in its own train part. How fast the network loses its own phase."""
    slopes = []
    for n0 in NUDGE_STARTS:
        gap = np.abs(mean_loop([ck], n0, HORIZON, NUDGE) - mean_loop([ck], n0, HORIZON))[FIT_FROM:]
        slopes.append(np.polyfit(np.arange(len(gap)), np.log(np.maximum(gap, 1e-12)), 1)[0])
    return float(np.mean(slopes))


def climate(path, steps: int, reference: np.ndarray | None = None) -> dict[str, float]:
    """The climate scores of the checkpoint's free run against its own train part (or `reference`, raw units)."""
    ck = load_checkpoint(path)
    s = ck.series
    run = mean_loop([ck], s.n_train, steps)[TRANSIENT:]
    if not np.all(np.isfinite(run)):
        return dict.fromkeys(SCORE_NAMES, float("inf"))
    ref = ck.normaliser(s.x[:s.n_train] if reference is None else reference)
    return {**climate_scores(run, ref), "sensitivity": sensitivity(ck)}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("trials", nargs="*", default=list(RECIPES), metavar="TRIAL",
                    help="trials scored on the fresh windows (default: the drawn-length recipe at 48 and 24 neurons)")
    ap.add_argument("--steps", type=int, default=4000, help="length of each free run (default 4000)")
    ap.add_argument("--long-reference", action="store_true",
                    help="a diagnostic, not a pick the protocol allows: judge against 5000 samples of the generating "
                         "system (from the end of the last fresh window on) instead of the 750 of the train part")
    args = ap.parse_args()
    torch.set_num_threads(1)
    reference = generated(repeat_offset(FIRST_FRESH + 30) + 750, 5000) if args.long_reference else None
    kind = "long" if args.long_reference else "train"
    known = {(x["trial"], x["seed"], x["steps"], x.get("reference", "train")): x for x in load_records(CLIMATE)
             if set(SCORE_NAMES) <= set(x)}
    scored = [x for x in load_records(SCORES) if x["windows"] == [FIRST_FRESH, FIRST_FRESH + 30]]
    rows = []
    for trial in args.trials:
        fresh = [x for x in scored if x["trial"] == trial]
        if not fresh:
            raise SystemExit(f"no fresh-window scores of {trial!r}: run bench/ar_fresh_windows.py first")
        for x in tqdm(fresh, desc=trial, leave=False):
            rec = known.get((trial, x["seed"], args.steps, kind))
            if rec is None:
                rec = {"trial": trial, "repeat": x["repeat"], "seed": x["seed"], "steps": args.steps, "reference": kind,
                       **climate(checkpoints(trial, x["repeat"])[x["seed"]], args.steps, reference)}
                write_json(CLIMATE, load_records(CLIMATE) + [rec])
            rows.append((trial, x["repeat"], float(np.mean(x["smape"])), rec))
    report(rows)


def generated(start: int, n: int) -> np.ndarray:
    """n samples of the offset-0 NeuroBench series from sample `start` on."""
    long = long_series(math.ceil(2 * (start + n) / SAMPLES_PER_LYAPUNOV))  # window k starts k/2 Lyapunov times in
    return long.x[start:start + n]


def report(rows: list) -> None:
    groups = {t: [x for x in rows if x[0] == t] for t in dict.fromkeys(x[0] for x in rows)}
    if len(groups) > 1:
        groups["all of them"] = rows
    for label, g in groups.items():
        fresh = np.array([x[2] for x in g])
        repeats = sorted({x[1] for x in g})
        per_repeat = np.mean([fresh[[x[1] == r for x in g]].mean() for r in repeats])
        print(f"\n{label}: {len(g)} trainings, fresh-window mean {fresh.mean():.2f}")
        for name in SCORE_NAMES:
            score = np.array([x[3][name] for x in g])
            picks = [min((i for i, x in enumerate(g) if x[1] == r), key=lambda i: score[i]) for r in repeats]
            print(f"  {name:9s} Spearman {spearmanr(score, fresh).statistic:+.2f}; per repeat the lowest: fresh "
                  f"windows {fresh[picks].mean():.2f} (mean per repeat {per_repeat:.2f})")


if __name__ == "__main__":
    main()
