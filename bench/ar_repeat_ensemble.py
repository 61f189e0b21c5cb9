"""NeuroBench's repeats with an ensemble in the loop: per repeat, every kept network of the given trials is fed
the members' mean prediction over the 750 test steps (K networks are K times the neurons).

    PYTHONPATH=. python bench/ar_repeat_ensemble.py "mtcsn ar closed 75-225 noise 0.2 it2000" \\
        "mtcsn ar closed 225 noise 0.2 it2000" [--repeats 0 30]

A repeat's members are the kept checkpoints trained on its series: seed r in runs/fronts/autoregressive-repeats/
(bench/fronts.py --autoregressive --repeats keeps them) and seed r + 1000 k in
runs/fronts/autoregressive-candidates/ (bench/ar_best_of.py); --which 0 2 keeps only seeds r and r + 2000.
Prints per repeat each member's validation and test sMAPE, the ensemble's, and the ensemble without the members
whose validation sMAPE is above 20 (a plainly failed training; all are kept if all failed), and the members' own
free runs averaged outside the loop (each network runs on its own predictions; the outputs are averaged), then the
means over the repeats against the LSTM's 13.37. The rules never look at the test part.
"""
from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np
import torch
from ar_best_of import FAILED, SEED_STRIDE, against_lstm
from ar_ensemble import free_run, mean_loop, own_and_averaged
from fronts import leaderboard_lines, save_figure

from mtcsn_hw.tasks.forecasting import validation_split
from mtcsn_hw.tasks.metrics import smape
from mtcsn_hw.training.checkpoint import load_checkpoint
from mtcsn_hw.training.fronts import AR_TRIALS, VAL_FRACTION, checkpoint_dir
from mtcsn_hw.training.fronts_report import LEADERBOARD

ROOT = Path(__file__).resolve().parents[1] / "runs" / "fronts"
FOLDERS = {0: ROOT / "autoregressive-repeats", **{k: ROOT / "autoregressive-candidates" for k in (1, 2, 3)}}


def members(trials, r: int, ks=tuple(FOLDERS)) -> list:
    """The kept checkpoints of `trials` trained on repeat r's series, candidates ks (seeds r + 1000 k) only."""
    paths = [checkpoint_dir(FOLDERS[k], t, r + SEED_STRIDE * k) for t in trials for k in ks]
    cks = [load_checkpoint(p) for p in paths if p.exists()]
    for ck in cks[1:]:
        if not np.array_equal(ck.series.x, cks[0].series.x):
            raise SystemExit(f"repeat {r}: the members were trained on different series")
    return cks


def validation(cks) -> float:
    """sMAPE of the in-loop free run over the held-out tail of the train part (what the trials are picked on)."""
    s = cks[0].series
    n0, n1 = validation_split(s.n_train, VAL_FRACTION, "autoregressive", 1)
    return smape(cks[0].normaliser.inverse(mean_loop(cks, n0, n1 - n0)), s.x[n0:n1])


def test(cks) -> float:
    truth, pred = free_run(cks)
    return smape(pred, truth)


def summary(name: str, v: np.ndarray, reps: np.ndarray) -> str:
    lstm = LEADERBOARD["LSTM"]
    blocks = "; ".join(f"repeats {a}-{b - 1} {v[(reps >= a) & (reps < b)].mean():.2f}" for a, b in ((0, 25), (25, 30))
                       if ((reps >= a) & (reps < b)).any())
    return (f"{name}: {v.mean():.2f} ± {v.std(ddof=1):.2f} ({against_lstm(v)}), median {np.median(v):.2f}, "
            f"{int((v < lstm).sum())} of {len(v)} below {lstm}; {blocks}")


def figure(reps, members_mean, ensemble, averaged, k: int, neurons: int) -> str:
    """Per repeat: the members' mean test sMAPE, the ensemble in the loop's and the outside average's; the
    leaderboard as lines."""
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.ticker import MaxNLocator

    fig, ax = plt.subplots(figsize=(7.2, 4.0))
    for v, style, label in ((members_mean, "o", "members alone, per-repeat mean"),
                            (ensemble, "x", "in the loop"), (averaged, "+", "own free runs averaged")):
        ax.plot(reps, v, style, mfc="none", ms=7, mew=1.5, label=f"{label} (mean {np.mean(v):.2f})")
    leaderboard_lines(ax)
    ax.set_xlabel("NeuroBench repeat")
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_ylabel("autoregressive test sMAPE")
    ax.set_title(f"{k} networks per repeat ({neurons} neurons)", fontsize=9)
    ax.legend(fontsize=7, ncol=2, loc="upper center", bbox_to_anchor=(0.5, -0.17))
    return save_figure(fig, f"ar-ensemble-{k}.png", dpi=120)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("trials", nargs="+", choices=[t.name for t in AR_TRIALS], metavar="TRIAL")
    ap.add_argument("--repeats", type=int, nargs=2, default=[0, 30], metavar=("FIRST", "END"))
    ap.add_argument("--which", type=int, nargs="+", choices=list(FOLDERS), default=list(FOLDERS), metavar="K",
                    help="only candidates K (seed r + 1000 K) of each trial (default: every kept one)")
    ap.add_argument("--figure", action="store_true",
                    help="draw docs/figures/ar-ensemble-K.png (K: networks per repeat)")
    args = ap.parse_args()
    torch.set_num_threads(1)
    rows = []
    for r in range(*args.repeats):
        cks = members(args.trials, r, args.which)
        if not cks:
            print(f"repeat {r}: no kept checkpoint, skipped")
            continue
        tests, averaged = own_and_averaged(cks)
        own = [(validation([ck]), t) for ck, t in zip(cks, tests, strict=True)]
        working = [ck for ck, (v, _) in zip(cks, own, strict=True) if v <= FAILED] or cks
        ensemble = test(cks)
        rows.append((r, np.mean(tests), ensemble, test(working) if len(working) < len(cks) else ensemble, averaged,
                     len(cks), sum(ck.model.readout.weight.shape[1] for ck in cks)))
        print(f"repeat {r}: members " + ", ".join(f"val {v:.2f} test {t:.2f}" for v, t in own)
              + f"; in the loop {rows[-1][2]:.2f} (validation {validation(cks):.2f}); without the failed "
              f"({len(working)} of {len(cks)}) {rows[-1][3]:.2f}; own free runs averaged {averaged:.2f}", flush=True)
    if len(rows) > 1:
        reps, members_mean, ensemble, kept, averaged, sizes, neurons = np.array(rows).T
        print(summary("members' mean", members_mean, reps))
        print(summary("ensemble in the loop", ensemble, reps))
        print(summary("ensemble without the failed", kept, reps))
        print(summary("own free runs averaged outside the loop", averaged, reps))
        if args.figure:
            print(figure(reps, members_mean, ensemble, averaged, int(sizes.max()), int(neurons.max())))


if __name__ == "__main__":
    main()
