"""Mackey-Glass accuracy-activity fronts of MTCSN, LIF and SE-adLIF.

    PYTHONPATH=. python bench/fronts.py               # run missing trials (resumes), then table + figures
    PYTHONPATH=. python bench/fronts.py --table-only  # rewrite table + figures from runs/fronts/trials.json
    PYTHONPATH=. python bench/fronts.py --autoregressive  # NeuroBench protocol trials (closed-loop training)
    PYTHONPATH=. python bench/fronts.py --autoregressive --repeats 30 --trials NAME...  # NeuroBench's repeats

Every (trial, seed) record goes to runs/fronts/trials.json as it finishes (mtcsn_hw.training.fronts).
Writes runs/fronts/fronts.json (summaries, fronts, comparisons), runs/fronts/fronts.md (the table) and
docs/figures/fronts-{events,nonzero,synops}.png.
"""
from __future__ import annotations

import argparse
import sys
import textwrap
from pathlib import Path

import numpy as np

from mtcsn_hw.atomic import atomic_path, write_json, write_text
from mtcsn_hw.training.config import DEFAULT_LAYER
from mtcsn_hw.training.fronts import AR_TRIALS, SEEDS, TRIALS, checkpoint_dir, load_records, run_sweep
from mtcsn_hw.training.fronts_report import (
    LABEL,
    LEADERBOARD,
    by_model,
    claim_text,
    markdown,
    repeats_markdown,
    summary,
)
from mtcsn_hw.training.pareto import ACTIVITY, pareto_front, summarise

ROOT = Path(__file__).resolve().parents[1]
RECORDS = ROOT / "runs" / "fronts" / "trials.json"
AR_RECORDS = ROOT / "runs" / "fronts" / "autoregressive.json"
AR_REPEATS = ROOT / "runs" / "fronts" / "autoregressive_repeats.json"
FIGURE = {"spike_rate": "fronts-events.png", "nonzero_fraction": "fronts-nonzero.png",
          "synops_energy_pj": "fronts-synops.png"}
COLOR = {"mtcsn": "C3", "lif": "C0", "adlif": "C2"}
DOC = ROOT / "docs" / "mackey-glass.md"
MARKERS = {"direct": ("<!-- fronts: bench/fronts.py -->", "<!-- /fronts -->"),
           "autoregressive": ("<!-- fronts-ar: bench/fronts.py --autoregressive -->", "<!-- /fronts-ar -->"),
           "repeats": ("<!-- fronts-ar-repeats: bench/fronts.py --autoregressive --repeats -->",
                       "<!-- /fronts-ar-repeats -->"),
           "best-of": ("<!-- ar-best-of: bench/ar_best_of.py --doc -->", "<!-- /ar-best-of -->")}


def save_figure(fig, name: str, dpi: int) -> str:
    """Write docs/figures/<name> atomically and close the figure; returns its path from the repository root."""
    import matplotlib.pyplot as plt

    fig.tight_layout()
    path = ROOT / "docs" / "figures" / name
    with atomic_path(path) as tmp:
        fig.savefig(tmp, format="png", dpi=dpi)
    plt.close(fig)
    return str(path.relative_to(ROOT))


def mean_half_width(v) -> float:
    """Half the 95 % Student-t interval on the mean of the values v."""
    from scipy.stats import t

    v = np.asarray(v, float)
    return float(t.ppf(0.975, len(v) - 1) * v.std(ddof=1) / np.sqrt(len(v)))


def leaderboard_lines(ax) -> None:
    """NeuroBench's LSTM and ESN as labelled horizontal lines: the limits the autoregressive sMAPE is held to."""
    for (name, value), style in zip(LEADERBOARD.items(), ("--", ":"), strict=True):
        ax.axhline(value, color="k", ls=style, lw=1, label=f"NeuroBench {name} {value}")


def into_doc(text: str, protocol: str) -> None:
    """Replace what stands between the protocol's markers in docs/mackey-glass.md (if it has them)."""
    begin, end = MARKERS[protocol]
    old = DOC.read_text()
    if begin in old and end in old:
        head, rest = old.split(begin, 1)
        write_text(DOC, head + begin + "\n" + text + "\n" + end + rest.split(end, 1)[1])


def figure(trials, activity: str) -> str:
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(6.4, 4.4))
    for model, ts in by_model(trials).items():
        c = COLOR[model]
        for t in ts:
            ax.errorbar(t.mean("test", activity), t.mean("test", "smape"), xerr=t.std("test", activity),
                        yerr=t.std("test", "smape"), fmt="o", color=c, alpha=0.35, ms=4, lw=0.8)
        front = pareto_front(ts, activity)
        ax.plot([t.mean("test", activity) for t in front], [t.mean("test", "smape") for t in front], "-o",
                color=c, ms=6, label=f"{LABEL[model]} front")
        for t in front:
            ax.annotate(t.name, (t.mean("test", activity), t.mean("test", "smape")), fontsize=6,
                        xytext=(3, 3), textcoords="offset points")
    ax.set_xscale("log")
    ax.set_xlabel(ACTIVITY[activity] + " (test)")
    ax.set_ylabel("test sMAPE (direct, H = 75)")
    ax.set_title("Mackey-Glass: fronts picked on validation, test mean ± std over seeds", fontsize=9)
    ax.legend(fontsize=8)
    return save_figure(fig, FIGURE[activity], 120)


def report(seeds) -> str:
    trials = summarise(load_records(RECORDS), "direct", seeds)
    ship = DEFAULT_LAYER["mtcsn"]["substeps"]
    data = summary(trials, ship_substeps=ship)
    write_json(RECORDS.parent / "fronts.json", data)
    text = "\n\n".join([markdown(trials), claim_text(data["vs_lif"], "LIF"), claim_text(data["vs_adlif"], "SE-adLIF"),
                         claim_text(data["vs_lif_at_ship_fidelity"], "LIF",
                                    f" among those run as the shipped model trains ({ship} substeps a sample)")])
    write_text(RECORDS.parent / "fronts.md", text + "\n")
    into_doc(text, "direct")
    made = [figure(trials, act) for act in ACTIVITY]
    return text + "\n\n" + "\n".join(made)


def figure_autoregressive(trial: str, seeds) -> str | None:
    """Free-running test predictions of one closed-loop-trained trial, one panel per seed."""
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from mtcsn_hw.errors import CheckpointError
    from mtcsn_hw.training.checkpoint import load_checkpoint
    from mtcsn_hw.training.evaluate import metrics, predict

    cks = []
    for seed in seeds:
        try:
            path = checkpoint_dir(AR_RECORDS.parent / "autoregressive", trial, seed)
            cks.append((seed, load_checkpoint(path)))
        except CheckpointError:
            continue
    if not cks:
        return None
    fig, axes = plt.subplots(len(cks), 1, figsize=(9, 1.9 * len(cks)), sharex=True, squeeze=False)
    for ax, (seed, ck) in zip(axes[:, 0], cks, strict=True):
        p = predict(ck.model, ck.series, ck.normaliser, "autoregressive", 1)
        ax.plot(p["y_true"], "k", lw=1, label="truth")
        ax.plot(p["y_pred"], "C3", lw=1, label="free-running prediction")
        ax.set_title(f"{trial}, seed {seed}: sMAPE {metrics(p, ck.model.binary)['smape']:.2f}", fontsize=8)
    axes[0, 0].legend(fontsize=7, loc="upper right")
    axes[-1, 0].set_xlabel("test sample (75 per Lyapunov time)")
    return save_figure(fig, "fronts-autoregressive.png", 110)


def report_autoregressive(seeds) -> str:
    text = markdown(summarise(load_records(AR_RECORDS), "autoregressive", seeds), with_fronts=False)
    write_text(AR_RECORDS.with_suffix(".md"), text + "\n")
    into_doc(text, "autoregressive")
    made = figure_autoregressive("mtcsn ar closed 75", seeds)
    return text + ("\n\n" + made if made else "")


FIGURE_MIN_REPEATS = 30  # the protocol's; a partial run's mean is over easier or harder repeats: table only


def figure_repeats(trials) -> str:
    """Test sMAPE of every repeat, one column per trial run on at least FIGURE_MIN_REPEATS repeats, the
    leaderboard's means as limits."""
    trials = [t for t in trials if len(t.test["smape"]) >= FIGURE_MIN_REPEATS]
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(max(6.4, 1.25 * len(trials)), 4.0))
    for i, t in enumerate(trials):
        v = t.test["smape"]
        jitter = (np.arange(len(v)) % 7 - 3) * 0.03
        ax.plot(i + jitter, v, "o", color=COLOR[t.model], alpha=0.5, ms=4)
        ax.plot([i - 0.25, i + 0.25], [v.mean()] * 2, "-", color=COLOR[t.model], lw=2.5)
        ax.annotate(f"{v.mean():.2f}", (i + 0.27, v.mean()), fontsize=7, va="center")
    leaderboard_lines(ax)
    ax.set_xticks(range(len(trials)), [f"{LABEL[t.model]}, {len(t.test['smape'])} repeats\n"
                                       + textwrap.fill(t.name.split(' ', 1)[1], 20) for t in trials], fontsize=6)
    ax.set_ylabel("test sMAPE, free run of 750 steps")
    ax.set_title("Autoregressive Mackey-Glass, NeuroBench's repeats (bar: mean)", fontsize=9)
    ax.legend(fontsize=7)
    return save_figure(fig, "fronts-autoregressive-repeats.png", 120)


def report_repeats() -> str:
    trials = summarise(load_records(AR_REPEATS), "autoregressive")
    trials.sort(key=lambda t: (list(LABEL).index(t.model), t.name))
    text = repeats_markdown(trials)
    write_text(AR_REPEATS.with_suffix(".md"), text + "\n")
    into_doc(text, "repeats")
    return text + "\n\n" + figure_repeats(trials)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--table-only", action="store_true", help="do not train; use the finished records")
    ap.add_argument("--seeds", type=int, nargs="+", default=list(SEEDS))
    ap.add_argument("--autoregressive", action="store_true", help="the autoregressive-protocol trials instead")
    ap.add_argument("--trials", nargs="+", metavar="NAME", help="run only these trials (default: all)")
    ap.add_argument("--repeats", type=int, metavar="N",
                    help="with --autoregressive: NeuroBench's protocol, N repeats (it uses 30), repeat r a fresh "
                         "training with seed r on the series shifted by r half Lyapunov times")
    args = ap.parse_args(argv)
    pick = (lambda ts: [t for t in ts if t.name in args.trials]) if args.trials else (lambda ts: list(ts))
    if args.autoregressive and args.repeats:
        if not args.table_only:
            run_sweep(AR_REPEATS, pick(AR_TRIALS), range(args.repeats), log=lambda m: print(m, flush=True),
                      save_dir=AR_REPEATS.parent / "autoregressive-repeats", repeats=True)
        print(report_repeats())
        return 0
    if args.autoregressive:
        if not args.table_only:
            run_sweep(AR_RECORDS, pick(AR_TRIALS), args.seeds, log=lambda m: print(m, flush=True),
                      save_dir=AR_RECORDS.parent / "autoregressive", seed_major=True)
        print(report_autoregressive(args.seeds))
        return 0
    if not args.table_only:
        run_sweep(RECORDS, pick(TRIALS), args.seeds, log=lambda m: print(m, flush=True))
    print(report(args.seeds))
    return 0


if __name__ == "__main__":
    sys.exit(main())
