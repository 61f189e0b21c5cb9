"""The medoid judged on early agreement: members compared over the first H steps of their free runs only.

    PYTHONPATH=. python bench/ar_medoid_horizon.py TRIAL [TRIAL...] [--repeats 0 30] [--windows 50 80 | --test]

bench/ar_medoid.py forecasts with the member whose free run agrees most with the other members' over the whole
750-step window. Late in a free run every member has drifted from the truth and from the others, so the whole-window
agreement may be mostly chaos; early on, a member that leaves the others is likely the one that is wrong. Here the
agreement is measured over the first H steps (75, 150, 300: 1, 2 and 4 Lyapunov times; 750: ar_medoid's medoid),
and the chosen member is scored over the whole window, as always. Each repeat's numbers are kept in
runs/fronts/autoregressive_medoid_horizon.json and not computed again.
"""
from __future__ import annotations

import numpy as np
from ar_fresh_windows import ROOT  # bench/ (this script's folder is on sys.path)
from ar_medoid import (  # bench/
    each_smape,
    free_runs,
    medoid,
    member_parser,
    members_of,
    members_records,
    parts_of,
    span_of,
)
from scipy.stats import ttest_1samp, ttest_rel

from mtcsn_hw.tasks.metrics import smape
from mtcsn_hw.training.fronts_report import LEADERBOARD

KEPT = ROOT / "autoregressive_medoid_horizon.json"
HORIZONS = (75, 150, 300, 750)


def window_scores(runs: np.ndarray, truth: np.ndarray) -> list[float]:
    """The members' mean sMAPE, then for each H in HORIZONS the whole-window sMAPE of the medoid of the runs'
    first H steps."""
    return [float(each_smape(runs, truth).mean()), *(smape(runs[medoid(runs[:, :h])], truth) for h in HORIZONS)]


def repeat_scores(trials: list[str], r: int, windows: range | None, long) -> dict:
    cks = members_of(trials, r)
    members, *chosen = np.mean([window_scores(*free_runs(cks, s)) for s in parts_of(cks, windows, long)], axis=0)
    return {"trials": trials, "repeat": r, "windows": span_of(windows), "size": len(cks),
            "members": round(float(members), 4),
            "by_horizon": {str(h): round(float(v), 4) for h, v in zip(HORIZONS, chosen, strict=True)}}


def main() -> None:
    args = member_parser(__doc__).parse_args()
    recs, where = members_records(args, KEPT, repeat_scores)
    members = np.array([x["members"] for x in recs])
    whole = np.array([x["by_horizon"][str(HORIZONS[-1])] for x in recs])
    print(f"{len(recs)} repeats, {sorted({x['size'] for x in recs})} members each, {where}:")
    print(f"  members' mean {members.mean():.2f} ± {members.std(ddof=1):.2f}")
    for h in HORIZONS:
        v = np.array([x["by_horizon"][str(h)] for x in recs])
        against = "" if h == HORIZONS[-1] else (f"; against the whole-window medoid {(v - whole).mean():+.2f}, "
                                                 f"p = {ttest_rel(v, whole).pvalue:.3f}")
        print(f"  medoid over the first {h:3d} steps {v.mean():.2f} ± {v.std(ddof=1):.2f}{against}; "
              f"t-test against {LEADERBOARD['LSTM']} p = {ttest_1samp(v, LEADERBOARD['LSTM']).pvalue:.2f}")


if __name__ == "__main__":
    main()
