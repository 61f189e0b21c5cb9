"""How the medoid's forecast improves with the number of members: every subset of a repeat's trainings.

    PYTHONPATH=. python bench/ar_medoid_size.py TRIAL [TRIAL...] [--repeats 0 30] [--windows 50 80 | --test]

The members are a repeat's trainings of the trials named, as in bench/ar_medoid.py, each free-running over a
window. For every k from 1 to their number, the medoid of every subset of k members is scored against the truth
and averaged over the subsets: the expected sMAPE of the medoid of k trainings drawn from these (k = 1 and 2: a
member drawn at random; two cannot outvote each other). Prints the mean over the repeats for each k, and a floor
plus a part falling as 1 / k fitted to k = 3.., to say how many members a confident win would need. Each repeat's
numbers are kept in runs/fronts/autoregressive_medoid_size.json and not computed again.
"""
from __future__ import annotations

from itertools import combinations

import numpy as np
from ar_fresh_windows import ROOT  # bench/ (this script's folder is on sys.path)
from ar_medoid import (  # bench/
    each_smape,
    free_runs,
    member_parser,
    members_of,
    members_records,
    most_central,
    pairwise_smape,
    parts_of,
    span_of,
)
from fronts import mean_half_width  # bench/

from mtcsn_hw.training.fronts_report import LEADERBOARD

KEPT = ROOT / "autoregressive_medoid_size.json"


def by_size(runs: np.ndarray, truth: np.ndarray) -> list[float]:
    """Entry k - 1: the mean over all k-subsets of the rows of the sMAPE of the subset's medoid (lowest mean
    sMAPE against the subset's other rows); for k <= 2, the rows' mean."""
    n = len(runs)
    own = each_smape(runs, truth)
    pair = pairwise_smape(runs)
    out = []
    for k in range(1, n + 1):
        if k <= 2:
            out.append(float(own.mean()))
            continue
        picks = [s[most_central(pair[np.ix_(s, s)])] for s in map(list, combinations(range(n), k))]
        out.append(float(own[picks].mean()))
    return out


def repeat_scores(trials: list[str], r: int, windows: range | None, long) -> dict:
    cks = members_of(trials, r)
    rows = [by_size(*free_runs(cks, s)) for s in parts_of(cks, windows, long)]
    return {"trials": trials, "repeat": r, "windows": span_of(windows), "size": len(cks),
            "by_size": [round(float(v), 4) for v in np.mean(rows, axis=0)]}


def members_for(target: float, k: np.ndarray, v: np.ndarray) -> tuple[float, float, float]:
    """(floor c, a, k*) of v = c + a / k fitted by least squares, and the k at which it reaches `target` (inf if
    the floor is above it)."""
    a, c = np.polyfit(1.0 / k, v, 1)
    return float(c), float(a), float(a / (target - c)) if target > c and a > 0 else float("inf")


def main() -> None:
    recs, where = members_records(member_parser(__doc__).parse_args(), KEPT, repeat_scores)
    n = min(x["size"] for x in recs)
    table = np.array([x["by_size"][:n] for x in recs])
    print(f"{len(recs)} repeats, {n} members each, {where}; the medoid of k members (k = 1, 2: the members):")
    for k in range(1, n + 1):
        print(f"  k = {k}: {table[:, k - 1].mean():.2f} ± {table[:, k - 1].std(ddof=1):.2f}")
    if n >= 4:
        ks = np.arange(3, n + 1)
        # the mean whose 95 % interval ends at the LSTM, at this spread
        target = LEADERBOARD["LSTM"] - mean_half_width(table[:, -1])
        c, a, k_star = members_for(target, ks, table[:, 2:].mean(0))
        print(f"  fitted over k = 3..{n}: {c:.2f} + {a:.2f} / k; {target:.2f} (95 % interval below "
              f"{LEADERBOARD['LSTM']} at this spread) at k = {k_star:.1f}")


if __name__ == "__main__":
    main()
