"""Autoregressive recipes compared on windows that no NeuroBench repeat tests on.

    PYTHONPATH=. python bench/ar_fresh_windows.py TRIAL [TRIAL...] [--repeats 0 3] [--windows 50 80] [--figure]

Every checkpoint of each trial trained on NeuroBench's repeats A..B-1 (runs/fronts/autoregressive-repeats/,
seed r, and runs/fronts/autoregressive-candidates/, seeds r + 1000 k) is run, without retraining, on the
windows W0..W1-1 of a longer series: window w is the 750 samples after the series shifted by repeat_offset(w),
warmed up teacher-forced on the 750 before. From window 50 on, their samples come after the test part of
NeuroBench's last repeat, so a recipe can be chosen on them without touching the 30 repeats' test parts.
Prints each checkpoint's mean over the windows, each trial's mean over its checkpoints, and each trial
against the first one, paired on the checkpoints they share (repeat and seed). Each checkpoint's scores are
kept in runs/fronts/autoregressive_fresh_windows.json and not computed again.

It then asks what a validation free run as long as the test's would buy, were the train part longer than
NeuroBench's: how well each training's mean over the fresh windows ranks its own repeat's test sMAPE, and the
NeuroBench mean of the training per repeat with the lowest fresh-window mean (over all the trials named).
--figure draws each trial's trainings (docs/figures/ar-fresh-windows.png).
"""
from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np
import torch
from ar_windows import long_series, slice_at  # bench/ (this script's folder is on sys.path)
from scipy.stats import spearmanr, ttest_1samp

from mtcsn_hw.atomic import write_json
from mtcsn_hw.tasks.mackey_glass import MackeyGlassSeries
from mtcsn_hw.tasks.metrics import smape
from mtcsn_hw.training.checkpoint import load_checkpoint
from mtcsn_hw.training.evaluate import predict
from mtcsn_hw.training.fronts import checkpoint_dir, load_records, repeat_offset
from mtcsn_hw.training.fronts_report import LEADERBOARD

ROOT = Path(__file__).resolve().parents[1] / "runs" / "fronts"
SCORES = ROOT / "autoregressive_fresh_windows.json"
RECIPE = "mtcsn ar closed 75-225 noise 0.2 "  # the drawn-length recipe the labels start from
FIRST_FRESH = 50  # repeat_offset(50) + 750 = 2600: after the last repeat's test part (29: 1073 + 1500 = 2573)


def checkpoints(trial: str, r: int) -> dict[int, Path]:
    """seed -> checkpoint folder of every training of `trial` on repeat r."""
    found = {r: checkpoint_dir(ROOT / "autoregressive-repeats", trial, r)}
    found |= {r + 1000 * k: checkpoint_dir(ROOT / "autoregressive-candidates", trial, r + 1000 * k) for k in (1, 2, 3)}
    return {seed: path for seed, path in found.items() if path.exists()}


def fresh_windows(path: Path, r: int, long: MackeyGlassSeries, windows: range) -> np.ndarray:
    ck = load_checkpoint(path)
    own = slice_at(long, repeat_offset(r), ck.series)
    if not np.allclose(own.x, ck.series.x[:len(own.x)], atol=1e-9):
        raise SystemExit(f"{path}: its series is not NeuroBench's repeat {r}")
    out = []
    for w in windows:
        p = predict(ck.model, slice_at(long, repeat_offset(w), ck.series), ck.normaliser, "autoregressive", 1)
        out.append(smape(p["y_pred"], p["y_true"]))
    return np.array(out)


def score_key(rec: dict) -> tuple:
    return rec["trial"], rec["repeat"], rec["seed"], tuple(rec["windows"])


def scored(trial: str, r: int, seed: int, path: Path, long: MackeyGlassSeries, windows: range,
           known: dict[tuple, list]) -> np.ndarray:
    """The checkpoint's sMAPE on each window, from `known` (SCORES as read at the start) if it is there, else
    computed and added to SCORES (re-read first: another process may have added to it meanwhile)."""
    rec = {"trial": trial, "repeat": r, "seed": seed, "windows": [windows[0], windows[-1] + 1]}
    if score_key(rec) in known:
        return np.array(known[score_key(rec)])
    w = fresh_windows(path, r, long, windows)
    write_json(SCORES, load_records(SCORES) + [{**rec, "smape": [round(float(v), 4) for v in w]}])
    return w


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("trials", nargs="+", metavar="TRIAL", help="trial names; the first is the reference")
    ap.add_argument("--repeats", nargs=2, type=int, default=(0, 3), metavar=("A", "B"),
                    help="the trainings of repeats A..B-1 (default 0 3)")
    ap.add_argument("--windows", nargs=2, type=int, default=(FIRST_FRESH, FIRST_FRESH + 30), metavar=("W0", "W1"),
                    help=f"windows W0..W1-1 (default {FIRST_FRESH} {FIRST_FRESH + 30}; from {FIRST_FRESH} on, unused "
                         "by NeuroBench's repeats)")
    ap.add_argument("--figure", action="store_true", help="draw docs/figures/ar-fresh-windows.png")
    args = ap.parse_args()
    if args.windows[0] < FIRST_FRESH:
        print(f"note: windows below {FIRST_FRESH} overlap NeuroBench's test parts")
    torch.set_num_threads(1)
    windows = range(*args.windows)
    long = long_series(windows[-1])
    known = {score_key(rec): rec["smape"] for rec in load_records(SCORES)}
    means: dict[str, dict[tuple[int, int], float]] = {}
    for trial in args.trials:
        means[trial] = {}
        for r in range(*args.repeats):
            for seed, path in checkpoints(trial, r).items():
                w = scored(trial, r, seed, path, long, windows, known)
                means[trial][(r, seed)] = float(w.mean())
                print(f"{trial} r{r} s{seed}: {w.mean():.2f} ± {w.std(ddof=1):.2f} over windows "
                      f"{windows[0]}-{windows[-1]}", flush=True)
    print()
    ref = args.trials[0]
    for trial, m in means.items():
        v = np.array(list(m.values()))
        line = f"{trial}: {v.mean():.2f} ± {v.std(ddof=1) if len(v) > 1 else 0:.2f} over {len(v)} trainings"
        shared = sorted(set(m) & set(means[ref]))
        if trial != ref and shared:
            d = np.array([m[k] - means[ref][k] for k in shared])
            spread = d.std(ddof=1) if len(d) > 1 else 0.0
            line += f"; against the first, paired on {len(d)}: {d.mean():+.2f} ± {spread:.2f}"
        print(line)
    picked_by_fresh(means)
    if args.figure:
        print(figure(means, windows))


def short(trial: str) -> str:
    """A column label: the width, then what the trial changes in the recipe it starts from."""
    words = trial.split()
    width = "24 neurons" if "h24" in words else "48 neurons"
    rest = [w for w in words[6:] if w not in ("it2000", "h24")] if trial.startswith(RECIPE) else words[1:]
    return width + ("\n" + " ".join(rest) if rest else "\nthe recipe")


def figure(means: dict[str, dict[tuple[int, int], float]], windows: range) -> str:
    """Each training's mean over the windows, one column per trial; the LSTM's NeuroBench mean for scale."""
    from mtcsn_hw.plotting import plt, save_figure

    fig, ax = plt.subplots(figsize=(max(6.4, 0.9 * len(means)), 3.8))
    for i, m in enumerate(means.values()):
        v = np.array(list(m.values()))
        ax.plot(i + (np.arange(len(v)) % 9 - 4) * 0.04, v, "o", color="C3", alpha=0.5, ms=4)
        ax.plot([i - 0.3, i + 0.3], [np.median(v)] * 2, "-", color="k", lw=2)
        ax.annotate(f"{len(v)}", (i, ax.get_ylim()[0]), fontsize=7, ha="center", va="bottom")
    ax.axhline(LEADERBOARD["LSTM"], color="k", ls="--", lw=1, label=f"NeuroBench LSTM {LEADERBOARD['LSTM']} "
               "(its own windows)")
    ax.set_xticks(range(len(means)), [short(t) for t in means], fontsize=7)
    ax.set_ylabel(f"mean sMAPE, windows {windows[0]}-{windows[-1]}")
    ax.set_title("Each training on 30 windows after NeuroBench's test parts (bar: median)", fontsize=9)
    ax.legend(fontsize=7)
    path = Path(__file__).resolve().parents[1] / "docs" / "figures" / "ar-fresh-windows.png"
    save_figure(fig, path)
    return str(path)


def own_tests() -> dict[tuple[str, int], float]:
    """(trial, seed) -> its own repeat's test sMAPE, from the repeats' and the candidates' records."""
    recs = load_records(ROOT / "autoregressive_repeats.json") + load_records(ROOT / "autoregressive_candidates.json")
    return {(x["trial"], x["seed"]): x["test"]["smape"] for x in recs}


def picked_by_fresh(means: dict[str, dict[tuple[int, int], float]]) -> None:
    """How well the fresh windows rank the own tests, and the NeuroBench mean of the pick per repeat."""
    own = own_tests()
    rows = [(trial, r, seed, f, own[(trial, seed)]) for trial, m in means.items() for (r, seed), f in m.items()
            if (trial, seed) in own]
    if len(rows) < 3:
        return
    fresh, test = np.array([x[3] for x in rows]), np.array([x[4] for x in rows])
    print(f"\nfresh-window mean against the own test, {len(rows)} trainings: Spearman "
          f"{spearmanr(fresh, test).statistic:+.2f}, Pearson {np.corrcoef(fresh, test)[0, 1]:+.2f}")
    repeats = sorted({x[1] for x in rows})
    picks = [min((x for x in rows if x[1] == r), key=lambda x: x[3]) for r in repeats]
    everyone = [np.mean([x[4] for x in rows if x[1] == r]) for r in repeats]
    v = np.array([x[4] for x in picks])
    p = ttest_1samp(v, LEADERBOARD["LSTM"]).pvalue if len(v) > 1 else float("nan")
    print(f"per repeat, the lowest fresh-window mean of {len(rows) / len(repeats):.1f} trainings: NeuroBench "
          f"{v.mean():.2f} ± {v.std(ddof=1) if len(v) > 1 else 0:.2f} over {len(v)} repeats "
          f"({int((v < LEADERBOARD['LSTM']).sum())} below {LEADERBOARD['LSTM']}, t-test p = {p:.2f}); "
          f"the mean of all of them {np.mean(everyone):.2f}")


if __name__ == "__main__":
    main()
