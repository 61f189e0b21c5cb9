"""Does a network's climate, its long free run judged against its own train part, pick the good trainings?

    PYTHONPATH=. python bench/ar_climate_pick.py [TRIAL...] [--steps 4000] [--test]

The bad trainings are bad on every fresh window alike: their free run settles on a wrong attractor. That can be
judged without any test data. Each training scored on windows 50-79 (bench/ar_fresh_windows.py) free-runs for
--steps steps after a teacher-forced warm-up on its own train part (the first 250 dropped), and its run is
compared with the train part's samples, in normalised units, by three scores:
  values    Wasserstein-1 distance of the value distributions;
  acf       RMS difference of the autocorrelation functions over lags 1-60;
  embedding energy distance of the delay-embedded points (x(t), x(t - 7));
and, not a climate but how soon a network loses its own phase (no data needed either):
  sensitivity its finite-time Lyapunov exponent: how fast a 1e-5 nudge to its fed-back prediction grows, over
              starts in the train part (the series' own: 1/75 a step).
Prints how well each score ranks the fresh-window means, and per repeat what the training with the lowest
score gives there. --test also prints it on NeuroBench's own test parts (the repeats' records). Scores are kept in
runs/fronts/autoregressive_climate.json and not computed again.
"""
from __future__ import annotations

import argparse

import numpy as np
import torch
from ar_ensemble import mean_loop  # bench/ (this script's folder is on sys.path)
from ar_fresh_windows import ROOT, SCORES, checkpoints, own_tests  # bench/
from ar_windows import long_series  # bench/
from scipy.spatial.distance import cdist
from scipy.stats import spearmanr, ttest_1samp, wasserstein_distance
from tqdm import tqdm

from mtcsn_hw.atomic import write_json
from mtcsn_hw.training.checkpoint import load_checkpoint
from mtcsn_hw.training.fronts import load_records, repeat_offset
from mtcsn_hw.training.fronts_report import LEADERBOARD

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
    ap.add_argument("--test", action="store_true", help="also report the picks on NeuroBench's own test parts")
    ap.add_argument("--long-reference", action="store_true",
                    help="a diagnostic, not a pick the protocol allows: judge against 5000 samples of the generating "
                         "system (from the end of the last fresh window on) instead of the 750 of the train part")
    args = ap.parse_args()
    torch.set_num_threads(1)
    own = own_tests()
    reference = None
    if args.long_reference:
        start = repeat_offset(80) + 750  # after the last fresh window
        long = long_series(80)
        while len(long.x) < start + 5000:
            long = long_series(len(long.x) // 20)
        reference = long.x[start:start + 5000]
    kind = "long" if args.long_reference else "train"
    known = {(x["trial"], x["seed"], x["steps"], x.get("reference", "train")): x for x in load_records(CLIMATE)
             if set(SCORE_NAMES) <= set(x)}
    rows = []
    for trial in args.trials:
        fresh = [x for x in load_records(SCORES) if x["trial"] == trial and x["windows"] == [50, 80]]
        if not fresh:
            raise SystemExit(f"no fresh-window scores of {trial!r}: run bench/ar_fresh_windows.py first")
        for x in tqdm(fresh, desc=trial, leave=False):
            rec = known.get((trial, x["seed"], args.steps, kind))
            if rec is None:
                rec = {"trial": trial, "repeat": x["repeat"], "seed": x["seed"], "steps": args.steps, "reference": kind,
                       **climate(checkpoints(trial, x["repeat"])[x["seed"]], args.steps, reference)}
                write_json(CLIMATE, load_records(CLIMATE) + [rec])
            rows.append((trial, x["repeat"], float(np.mean(x["smape"])), own.get((trial, x["seed"]), np.nan), rec))
    report(rows, args.test)


def report(rows: list, test: bool) -> None:
    groups = {t: [x for x in rows if x[0] == t] for t in dict.fromkeys(x[0] for x in rows)}
    if len(groups) > 1:
        groups["all of them"] = rows
    for label, g in groups.items():
        fresh = np.array([x[2] for x in g])
        repeats = sorted({x[1] for x in g})
        per_repeat = np.mean([fresh[[x[1] == r for x in g]].mean() for r in repeats])
        print(f"\n{label}: {len(g)} trainings, fresh-window mean {fresh.mean():.2f}")
        for name in SCORE_NAMES:
            score = np.array([x[4][name] for x in g])
            picks = [min((i for i, x in enumerate(g) if x[1] == r), key=lambda i: score[i]) for r in repeats]
            print(f"  {name:9s} Spearman {spearmanr(score, fresh).statistic:+.2f}; per repeat the lowest: fresh "
                  f"windows {fresh[picks].mean():.2f} (mean per repeat {per_repeat:.2f})")
            if test:
                own = np.array([g[i][3] for i in picks])
                every = np.mean([np.mean([x[3] for x in g if x[1] == r]) for r in repeats])
                print(f"            NeuroBench test {own.mean():.2f} ± {own.std(ddof=1):.2f} over {len(picks)} "
                      f"repeats ({int((own < LEADERBOARD['LSTM']).sum())} below {LEADERBOARD['LSTM']}, t-test p = "
                      f"{ttest_1samp(own, LEADERBOARD['LSTM']).pvalue:.2f}); mean per repeat {every:.2f}")


if __name__ == "__main__":
    main()
