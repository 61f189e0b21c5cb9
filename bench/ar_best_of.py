"""Train K networks per NeuroBench repeat and keep the one with the lowest validation sMAPE: does the
held-out tail of each repeat's own train part pick away the trainings that failed?

    PYTHONPATH=. python bench/ar_best_of.py "mtcsn ar closed 225 noise 0.2 it2000" --repeats 0 30 --candidates 3 \\
        --against "mtcsn ar closed 75 noise 0.1 it2000" --doc

Candidate 0 of repeat r is NeuroBench's repeat r as bench/fronts.py --autoregressive --repeats trains it
(seed r, runs/fronts/autoregressive_repeats.json). Candidate k >= 1 is the same trial with seed r + 1000 k
on the same series (shifted by repeat_offset(r)); those are trained here if missing (resumable; run disjoint
--repeats ranges in two processes for two cores) and recorded in runs/fronts/autoregressive_candidates.json,
their checkpoints in runs/fronts/autoregressive-candidates/. The pick never looks at the test part. Prints, per
repeat, each candidate's validation and test sMAPE and the pick, then the picks' mean test sMAPE against
candidate 0's (one training per repeat), its 95 % interval and t-test against the LSTM's 13.37, how often
validation kept the candidate best on test, what picking on the test part would give, and how well validation
ranks the trainings that did not plainly fail; with --against, the same rule with that trial's network added to
each repeat's candidates. --doc writes the
per-repeat table into docs/mackey-glass.md between its ar-best-of markers and draws docs/figures/ar-best-of.png.
"""
from __future__ import annotations

import argparse
import time
from pathlib import Path

import numpy as np
from fronts import into_doc, leaderboard_lines, mean_half_width, save_figure

from mtcsn_hw.atomic import write_json
from mtcsn_hw.training.fronts import AR_TRIALS, load_records, repeat_offset, run_trial
from mtcsn_hw.training.fronts_report import LEADERBOARD, fmt, spread
from mtcsn_hw.training.pareto import paired, summarise

ROOT = Path(__file__).resolve().parents[1] / "runs" / "fronts"
REPEATS, CANDIDATES = ROOT / "autoregressive_repeats.json", ROOT / "autoregressive_candidates.json"
CHECKPOINTS = ROOT / "autoregressive-candidates"   # candidates trained here keep their checkpoints
SEED_STRIDE = 1000
COLUMNS = 10   # repeats per block of the markdown table
FAILED = 20.0  # validation sMAPE above which a training has plainly failed (a wrong oscillation)


def candidates(trial: str, r: int, k: int) -> list[dict | None]:
    """The records of repeat r's candidates 0..k-1 (None where not trained yet)."""
    first = [x for x in load_records(REPEATS) if x["trial"] == trial and x["seed"] == r]
    others = {x["seed"]: x for x in load_records(CANDIDATES) if x["trial"] == trial}
    return [first[0] if first else None] + [others.get(r + SEED_STRIDE * i) for i in range(1, k)]


def lowest_validation(recs: list[dict]) -> dict:
    """The rule: keep the candidate with the lowest validation sMAPE (never the test part)."""
    return min(recs, key=lambda x: x["val"]["smape"])


def table(rows: list[tuple[int, list[dict], dict]]) -> str:
    """Markdown: per block of COLUMNS repeats, each candidate's validation / test sMAPE and the test sMAPE kept
    among the first 2, 3, ... K candidates."""
    blocks = []
    for i in range(0, len(rows), COLUMNS):
        block = rows[i:i + COLUMNS]
        lines = ["| repeat | " + " | ".join(str(r) for r, _, _ in block) + " |", "|---" * (len(block) + 1) + "|"]
        for k in range(len(block[0][1])):
            lines.append(f"| candidate {k}: validation / test | " + " | ".join(
                f"{recs[k]['val']['smape']:.2f} / {recs[k]['test']['smape']:.2f}" for _, recs, _ in block) + " |")
        for n in range(2, len(block[0][1]) + 1):   # the pick among the first n candidates, n = K the kept one
            kept = (lowest_validation(recs[:n]) for _, recs, _ in block)
            lines.append(f"| kept of the first {n} (lowest validation) | "
                         + " | ".join(f"{x['test']['smape']:.2f}" for x in kept) + " |")
        blocks.append("\n".join(lines))
    return "\n\n".join(blocks)


def train_missing(trial, repeats, k: int) -> None:
    for r in repeats:
        for i, rec in enumerate(candidates(trial.name, r, k)[1:], start=1):
            if rec is None:
                t0 = time.perf_counter()
                new = {**run_trial(trial, r + SEED_STRIDE * i, CHECKPOINTS, repeat_offset(r)), "repeat": r}
                write_json(CANDIDATES, load_records(CANDIDATES) + [new])
                print(f"repeat {r} candidate {i}: val {new['val']['smape']:.2f}, test {new['test']['smape']:.2f} "
                      f"({time.perf_counter() - t0:.0f} s)", flush=True)


def picks(trial, repeats, k: int) -> list[tuple[int, list[dict], dict]]:
    """(repeat, its candidates' records, the one with the lowest validation sMAPE) for every complete repeat."""
    rows = []
    for r in repeats:
        recs = candidates(trial.name, r, k)
        if all(x is not None for x in recs):
            rows.append((r, recs, lowest_validation(recs)))
    return rows


def against_lstm(v) -> str:
    """The 95 % interval on the mean of the test sMAPEs v and a one-sample t-test against the LSTM's mean."""
    from scipy import stats

    v, lstm = np.asarray(v), LEADERBOARD["LSTM"]
    half = mean_half_width(v)
    return f"95 % interval on the mean ± {half:.2f}; t-test against {lstm}: p = {stats.ttest_1samp(v, lstm).pvalue:.2f}"


def statistics(rows, failed: float = FAILED) -> list[str]:
    """The kept networks' mean against the LSTM, and how much a better rule for choosing could still gain."""
    from scipy import stats

    kept = np.array([best["test"]["smape"] for _, _, best in rows])
    oracle = [min(x["test"]["smape"] for x in recs) for _, recs, _ in rows]
    top = sum(best["test"]["smape"] == o for (_, _, best), o in zip(rows, oracle, strict=True))
    bad = [x is best for _, recs, best in rows for x in recs if x["val"]["smape"] > failed]   # kept?
    working = [[x for x in recs if x["val"]["smape"] <= failed] for _, recs, _ in rows]
    ok = [x for w in working for x in w]
    duels = [(a, b) for w in working for i, a in enumerate(w) for b in w[i + 1:]]
    same = sum((a["val"]["smape"] < b["val"]["smape"]) == (a["test"]["smape"] < b["test"]["smape"]) for a, b in duels)
    return [against_lstm(kept),
            f"validation kept the candidate best on test in {top} of {len(rows)} repeats; picking on the test part "
            f"(not allowed) would give {np.mean(oracle):.2f}",
            f"{len(bad)} of {sum(len(recs) for _, recs, _ in rows)} trainings have validation sMAPE above {failed:g}; "
            f"{sum(bad)} of them kept",
            f"among the {len(ok)} others, validation against test sMAPE: Spearman "
            f"{stats.spearmanr([x['val']['smape'] for x in ok], [x['test']['smape'] for x in ok]).statistic:+.2f}; "
            f"within a repeat validation orders two of them as the test does {same} times in {len(duels)}",
            "kept, by blocks of repeats: " + ", ".join(
                f"{rows[i][0]}-{rows[min(i + COLUMNS, len(rows)) - 1][0]} {kept[i:i + COLUMNS].mean():.2f}"
                for i in range(0, len(rows), COLUMNS))]


def compare(rows, against: str) -> None:
    """Seed-paired over the repeats both have: the reference trial's test sMAPE minus the pick's."""
    records = load_records(REPEATS)
    ref = summarise(records, "autoregressive", seeds=[r for r, _, _ in rows])
    ref = [t for t in ref if t.name == against]
    if ref:
        (kept,) = summarise([{**best, "trial": "kept", "seed": r} for r, _, best in rows], "autoregressive")
        gain = paired(ref[0], kept, "smape", np.subtract)
        print(f"against {against} on the same {len(gain)} repeats ({fmt(spread(ref[0].test['smape']), 2)}): "
              f"{fmt(spread(gain), 2)} points better, on {int((gain > 0).sum())} of {len(gain)}")
        # the same rule across both recipes: that trial's network joins each repeat's candidates
        other = {x["seed"]: x for x in records if x["trial"] == against}
        joint = [lowest_validation(recs + [other[r]]) for r, recs, _ in rows if r in other]
        v = [x["test"]["smape"] for x in joint]
        print(f"the lowest validation among the candidates and {against}'s network: {fmt(spread(v), 2)} "
              f"({sum(x['trial'] == against for x in joint)} of {len(joint)} repeats keep {against}'s)")


def figure(rows, trial_name: str) -> str:
    """Every candidate's test sMAPE per repeat (circles), the kept one (crosses), the leaderboard as lines."""
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.ticker import MaxNLocator

    fig, ax = plt.subplots(figsize=(7.2, 4.0))
    reps = [r for r, _, _ in rows]
    for k in range(len(rows[0][1])):
        ax.plot(reps, [recs[k]["test"]["smape"] for _, recs, _ in rows], "o", mfc="none", color=f"C{k}", ms=6,
                label=f"candidate {k}")
    kept = [best["test"]["smape"] for _, _, best in rows]
    ax.plot(reps, kept, "x", color="k", ms=7, mew=1.5, label=f"kept on validation (mean {np.mean(kept):.2f})")
    leaderboard_lines(ax)
    ax.set_xlabel("NeuroBench repeat")
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_ylabel("autoregressive test sMAPE")
    k = len(rows[0][1])
    ax.set_title(f"{trial_name}: the {'better' if k == 2 else 'best'} of {k} trainings per repeat on validation",
                 fontsize=9)
    ax.legend(fontsize=7, ncol=3, loc="upper center", bbox_to_anchor=(0.5, -0.17))
    return save_figure(fig, "ar-best-of.png", dpi=120)


def main() -> None:
    import torch

    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("trial", choices=[t.name for t in AR_TRIALS], metavar="TRIAL")
    ap.add_argument("--repeats", type=int, nargs=2, default=[0, 30], metavar=("FIRST", "END"),
                    help="NeuroBench repeats FIRST .. END-1 (default: all 30)")
    ap.add_argument("--candidates", type=int, default=3, metavar="K",
                    help="networks per repeat (default: 3, as recorded for the 225-step recipe)")
    ap.add_argument("--report-only", action="store_true", help="do not train; report what is recorded")
    ap.add_argument("--doc", action="store_true",
                    help="write the per-repeat table into docs/mackey-glass.md and draw docs/figures/ar-best-of.png")
    ap.add_argument("--against", choices=[t.name for t in AR_TRIALS], metavar="TRIAL",
                    help="also compare the picks, repeat by repeat, with this trial's NeuroBench repeats")
    args = ap.parse_args()
    torch.set_num_threads(1)
    trial = next(t for t in AR_TRIALS if t.name == args.trial)
    repeats = range(*args.repeats)
    if not args.report_only:
        train_missing(trial, repeats, args.candidates)
    rows = picks(trial, repeats, args.candidates)
    for r, recs, best in rows:
        print(f"repeat {r}: " + ", ".join(f"val {x['val']['smape']:.2f} test {x['test']['smape']:.2f}" for x in recs)
              + f" -> {best['test']['smape']:.2f}")
    if rows:
        p = np.array([best["test"]["smape"] for _, _, best in rows])
        first = [recs[0]["test"]["smape"] for _, recs, _ in rows]
        lstm = LEADERBOARD["LSTM"]
        print(f"{len(p)} repeats: one training {fmt(spread(first), 2)}; best of {args.candidates} on validation "
              f"{fmt(spread(p), 2)}, median {np.median(p):.2f} ({int((p < lstm).sum())} of {len(p)} below {lstm})")
        print("\n".join(statistics(rows)))
        if args.candidates > 2:
            fewer = np.array([lowest_validation(recs[:-1])["test"]["smape"] for _, recs, _ in rows])
            print(f"against the best of {args.candidates - 1} on the same repeats ({fmt(spread(fewer), 2)}): "
                  f"{fmt(spread(fewer - p), 2)} points better, on {int((fewer > p).sum())} of {len(p)} "
                  f"(worse on {int((fewer < p).sum())})")
    if args.against and rows:
        compare(rows, args.against)
    if args.doc and rows:
        into_doc(table(rows), "best-of")
        print("wrote", figure(rows, trial.name))


if __name__ == "__main__":
    main()
