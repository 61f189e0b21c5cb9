"""Forecast with the member whose free run agrees most with the others': an ensemble's medoid, one network's forecast.

    PYTHONPATH=. python bench/ar_medoid.py TRIAL [TRIAL...] [--repeats 0 30] [--windows 50 80 | --test] [--figure]

Per NeuroBench repeat, the trainings of the trials named (bench/ar_fresh_windows.py's checkpoints: seed r and
r + 1000 k) each free-run over a window after a teacher-forced warm-up on the 750 samples before it. The forecast
reported is one member's own free run, the one with the lowest mean sMAPE against the other members' runs. No
truth enters the choice, so it is made anew on every window, at forecast time, and what is reported is exactly
what that network was fed back: NeuroBench's closed loop, with the other members as the judge. Prints, over
the repeats (and windows), the members' mean, the medoid's, and the members' runs averaged outside the loop.
By default on windows 50-79, after NeuroBench's test parts; --test on each repeat's own test part. Each repeat's
three numbers are kept in runs/fronts/autoregressive_medoid.json and not computed again.
"""
from __future__ import annotations

import argparse
from collections.abc import Callable
from pathlib import Path

import numpy as np
import torch
from ar_fresh_windows import FIRST_FRESH, ROOT, checkpoints  # bench/ (this script's folder is on sys.path)
from ar_windows import long_series, slice_at  # bench/
from scipy.stats import ttest_1samp, ttest_rel
from tqdm import tqdm

from mtcsn_hw.atomic import write_json
from mtcsn_hw.tasks.metrics import smape
from mtcsn_hw.training.checkpoint import load_checkpoint
from mtcsn_hw.training.evaluate import predict
from mtcsn_hw.training.fronts import load_records, repeat_offset
from mtcsn_hw.training.fronts_report import LEADERBOARD

KEPT = ROOT / "autoregressive_medoid.json"


def pairwise_smape(runs: np.ndarray) -> np.ndarray:
    """The sMAPE of every run (a row) against every other (zero on the diagonal)."""
    k = len(runs)
    return np.array([[smape(runs[i], runs[j]) if i != j else 0.0 for j in range(k)] for i in range(k)])


def most_central(pair: np.ndarray) -> int:
    """The index of the run whose sMAPE against the others (a pairwise_smape matrix or a square part of one) sums
    lowest: the medoid."""
    return int(np.argmin(pair.sum(1)))


def disagreement(runs: np.ndarray) -> np.ndarray:
    """Each run's (row's) mean sMAPE against the other rows."""
    return pairwise_smape(runs).sum(1) / (len(runs) - 1)


def medoid(runs: np.ndarray) -> int:
    """The index of the run (a row) with the lowest mean sMAPE against the other rows."""
    return most_central(pairwise_smape(runs))


def span_of(windows: range | None) -> list[int] | None:
    """How a record names its windows: [first, last + 1], or None for the repeat's own test part."""
    return None if windows is None else [windows[0], windows[-1] + 1]


def each_smape(runs: np.ndarray, truth: np.ndarray) -> np.ndarray:
    """Each run's (row's) sMAPE against the truth."""
    return np.array([smape(y, truth) for y in runs])


def scores(runs: np.ndarray, truth: np.ndarray) -> tuple[float, float, float]:
    """(members' mean, the medoid's, the runs averaged outside the loop) sMAPE against the truth."""
    return (float(each_smape(runs, truth).mean()), smape(runs[medoid(runs)], truth),
            smape(runs.mean(0), truth))


def members_of(trials: list[str], r: int) -> list:
    """The checkpoints of every training of the trials on repeat r; at least 3, or there is no medoid to take
    (a misspelt trial finds no checkpoints)."""
    cks = [load_checkpoint(p) for t in trials for p in checkpoints(t, r).values()]
    if len(cks) < 3:
        raise SystemExit(f"repeat {r}: {len(cks)} trainings of {trials}; a medoid needs at least 3")
    return cks


def parts_of(cks, windows: range | None, long) -> list:
    """The windows of `long` shaped like the members' series, or (None) their own series, whose test part is used."""
    return [cks[0].series] if windows is None else [slice_at(long, repeat_offset(w), cks[0].series) for w in windows]


def free_runs(cks, s) -> tuple[np.ndarray, np.ndarray]:
    """(each member's own free run over the test part of `s`, one a row; the truth)."""
    preds = [predict(ck.model, s, ck.normaliser, "autoregressive", 1) for ck in cks]
    return np.array([p["y_pred"] for p in preds]), preds[0]["y_true"]


def repeat_scores(trials: list[str], r: int, windows: range | None, long) -> dict:
    """The repeat's record: its members and the mean over the windows (None: its own test part) of scores()."""
    cks = members_of(trials, r)
    members, chosen, outside = np.mean([scores(*free_runs(cks, s)) for s in parts_of(cks, windows, long)], axis=0)
    return {"trials": trials, "repeat": r, "windows": span_of(windows), "size": len(cks),
            "members": round(float(members), 4), "medoid": round(float(chosen), 4),
            "outside": round(float(outside), 4)}


def member_parser(doc: str) -> argparse.ArgumentParser:
    """The command line of the scripts that run a repeat's trainings as members, on windows or test parts."""
    ap = argparse.ArgumentParser(description=doc.splitlines()[0])
    ap.add_argument("trials", nargs="+", metavar="TRIAL", help="trials whose trainings of a repeat are the members")
    ap.add_argument("--repeats", nargs=2, type=int, default=(0, 30), metavar=("A", "B"))
    ap.add_argument("--windows", nargs=2, type=int, default=(FIRST_FRESH, FIRST_FRESH + 30), metavar=("W0", "W1"))
    ap.add_argument("--test", action="store_true", help="each repeat's own test part instead of the windows")
    return ap


def pairs_figure(x: np.ndarray, first: np.ndarray, second: np.ndarray, labels: tuple[str, str], title: str,
                 name: str, first_marker: str = "o") -> str:
    """Per repeat x, two results joined by a line (the second in red); NeuroBench's LSTM and ESN as limits; saved as
    docs/figures/NAME.png."""
    from fronts import leaderboard_lines  # bench/

    from mtcsn_hw.plotting import plt, save_figure

    fig, ax = plt.subplots(figsize=(7.0, 3.6))
    ax.vlines(x, first, second, color="0.6", lw=1)
    ax.plot(x, first, first_marker, color="0.45", ms=4, label=f"{labels[0]} ({first.mean():.2f})")
    ax.plot(x, second, "o", color="C3", ms=5, label=f"{labels[1]} ({second.mean():.2f})")
    leaderboard_lines(ax)
    ax.set_xlabel("NeuroBench repeat")
    ax.set_ylabel("test sMAPE, free run of 750 steps")
    ax.set_title(title, fontsize=9)
    ax.set_ylim(top=max(first.max(), second.max()) + 6)  # room for the legend above the points
    ax.legend(fontsize=7, ncol=2, loc="upper left")
    path = ROOT.parents[1] / "docs" / "figures" / f"{name}.png"
    save_figure(fig, path)
    return str(path)


def figure(recs: list[dict], where: str) -> str:
    """Per repeat, the members' mean and the medoid's sMAPE."""
    return pairs_figure(np.array([r["repeat"] for r in recs]), np.array([r["members"] for r in recs]),
                        np.array([r["medoid"] for r in recs]), ("the members' mean", "the medoid"),
                        f"The medoid of {recs[0]['size']} trainings a repeat, {where}", "ar-medoid")


def members_records(args, path: Path, repeat_scores: Callable, **fields) -> tuple[list[dict], str]:
    """Each repeat's record in `path` for the trials, the windows (or test parts) and the `fields` named, computed
    where missing by repeat_scores(trials, r, windows or None for the test parts, long series, *fields' values) and
    added to `path`; and where the records were taken."""
    torch.set_num_threads(1)
    windows = range(*args.windows)
    long = None if args.test else long_series(windows[-1])
    span = None if args.test else span_of(windows)
    known = {x["repeat"]: x for x in load_records(path) if (x["trials"], x["windows"]) == (args.trials, span)
             and all(x.get(k) == v for k, v in fields.items())}
    for r in tqdm(range(*args.repeats), desc="repeats"):
        if r not in known:
            known[r] = repeat_scores(args.trials, r, None if args.test else windows, long, *fields.values())
            write_json(path, load_records(path) + [known[r]])  # re-read: another process may have added meanwhile
    where = "own test parts" if args.test else f"windows {windows[0]}-{windows[-1]}"
    return [known[r] for r in range(*args.repeats)], where


def main() -> None:
    ap = member_parser(__doc__)
    ap.add_argument("--figure", action="store_true", help="draw docs/figures/ar-medoid.png, repeat by repeat")
    args = ap.parse_args()
    recs, where = members_records(args, KEPT, repeat_scores)
    sizes = {x["size"] for x in recs}
    per_repeat = [(x["members"], x["medoid"], x["outside"]) for x in recs]
    members, chosen, outside = np.array(per_repeat).T
    print(f"{len(per_repeat)} repeats, {sorted(sizes)} members each, {where}:")
    print(f"  members' mean {members.mean():.2f} ± {members.std(ddof=1):.2f}")
    print(f"  medoid        {chosen.mean():.2f} ± {chosen.std(ddof=1):.2f}  (paired against the members "
          f"{(chosen - members).mean():+.2f}, p = {ttest_rel(chosen, members).pvalue:.2f}; "
          f"{int((chosen < LEADERBOARD['LSTM']).sum())} repeats below {LEADERBOARD['LSTM']}, t-test against it "
          f"p = {ttest_1samp(chosen, LEADERBOARD['LSTM']).pvalue:.2f})")
    print(f"  averaged outside the loop {outside.mean():.2f} ± {outside.std(ddof=1):.2f}")
    if args.figure:
        print(figure(recs, where))


if __name__ == "__main__":
    main()
