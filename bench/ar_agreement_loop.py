"""Ensembles in NeuroBench's closed loop that leave the outlying member out: the median, or the central few.

    PYTHONPATH=. python bench/ar_agreement_loop.py TRIAL [TRIAL...] [--repeats 0 30] [--windows 50 80 | --test]

The members are a repeat's trainings of the trials named, as in bench/ar_medoid.py. Two combiners, both fed
back what they report and chosen without truth, at forecast time:
  median   every member is fed the median (the mean of the middle two) of the members' predictions;
  central  every member first free-runs on its own; the K members whose runs agree most with the others
           (lowest mean sMAPE against them) are then run together, fed their mean.
Prints, over the repeats, the members' mean, the medoid's, both combiners' and their difference to the members.
By default on windows 50-79, after NeuroBench's test parts; --test on each repeat's own test part. Each repeat's
numbers are kept in runs/fronts/autoregressive_agreement_loop.json and not computed again.
"""
from __future__ import annotations

import numpy as np
import torch
from ar_ensemble import mean_loop  # bench/ (this script's folder is on sys.path)
from ar_fresh_windows import ROOT  # bench/
from ar_medoid import (  # bench/
    disagreement,
    each_smape,
    free_runs,
    member_parser,
    members_of,
    members_records,
    parts_of,
    span_of,
)
from scipy.stats import ttest_1samp, ttest_rel

from mtcsn_hw.tasks.metrics import smape
from mtcsn_hw.training.fronts_report import LEADERBOARD

KEPT = ROOT / "autoregressive_agreement_loop.json"
COMBINERS = ("members", "medoid", "median", "central")


def median_of_members(y: torch.Tensor) -> torch.Tensor:
    return torch.quantile(y, 0.5, dim=0)


def window_scores(cks, s, central: int) -> tuple[float, ...]:
    """sMAPE against the truth of the window `s`: members' mean, medoid, median in the loop, central K in the loop."""
    norm = cks[0].normaliser
    runs, truth = free_runs(cks, s)
    agree = disagreement(runs)
    kept = [cks[i] for i in np.argsort(agree)[:central]]
    median = norm.inverse(mean_loop(cks, s.n_train, s.n_test, series=s, combine=median_of_members))
    together = norm.inverse(mean_loop(kept, s.n_train, s.n_test, series=s))
    return (float(each_smape(runs, truth).mean()), smape(runs[int(np.argmin(agree))], truth),
            smape(median, truth), smape(together, truth))


def repeat_scores(trials: list[str], r: int, windows: range | None, long, central: int) -> dict:
    """The repeat's record: the mean over the windows (None: its own test part) of window_scores()."""
    cks = members_of(trials, r)
    if len(cks) <= central:
        raise SystemExit(f"repeat {r}: {len(cks)} trainings; leaving an outlier out needs more than {central}")
    probe = np.array([0.0, 1.0])  # the same normaliser maps both alike
    if any(not np.allclose(ck.normaliser.inverse(probe), cks[0].normaliser.inverse(probe)) for ck in cks):
        raise SystemExit(f"repeat {r}: the members were not trained on the same series")
    rows = [window_scores(cks, s, central) for s in parts_of(cks, windows, long)]
    mean = dict(zip(COMBINERS, np.mean(rows, axis=0), strict=True))
    return {"trials": trials, "repeat": r, "windows": span_of(windows), "size": len(cks),
            "central_size": central, **{k: round(float(v), 4) for k, v in mean.items()}}


def main() -> None:
    ap = member_parser(__doc__)
    ap.add_argument("--central", type=int, default=3, metavar="K", help="members run together by 'central' (3)")
    args = ap.parse_args()
    recs, where = members_records(args, KEPT, repeat_scores, central_size=args.central)
    v = {k: np.array([x[k] for x in recs]) for k in COMBINERS}
    print(f"{len(recs)} repeats, {sorted({x['size'] for x in recs})} members each, {where}:")
    lstm = LEADERBOARD["LSTM"]
    for k in COMBINERS:
        line = f"  {k:8s} {v[k].mean():.2f} ± {v[k].std(ddof=1):.2f}"
        if k != "members":
            line += (f"  (paired against the members {(v[k] - v['members']).mean():+.2f}, p = "
                     f"{ttest_rel(v[k], v['members']).pvalue:.2f}; {int((v[k] < lstm).sum())} repeats below {lstm}, "
                     f"t-test against it p = {ttest_1samp(v[k], lstm).pvalue:.2f})")
        print(line)


if __name__ == "__main__":
    main()
