"""Mackey-Glass benchmark: train every (model, protocol, seed), then write the results table and figures.

    PYTHONPATH=. python bench/mg_table.py                  # all 3 models x 2 protocols x seeds 0-2
    PYTHONPATH=. python bench/mg_table.py --table-only     # re-read finished runs, rewrite table/figures

Checkpoints go to runs/mg/{model}-{protocol}-s{seed} (a finished run is reused, so the script resumes);
the (model, direct, seed 0) runs are the shipped models/mg-{model}. Rewrites the table in
docs/mackey-glass.md (between its markers),
docs/mackey-glass-results.json (every run's metrics) and docs/figures/mg-*.png.
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np
import torch

from mtcsn_hw.atomic import atomic_path, write_json, write_text
from mtcsn_hw.errors import CheckpointError
from mtcsn_hw.training.checkpoint import load_checkpoint
from mtcsn_hw.training.config import TrainConfig
from mtcsn_hw.training.evaluate import predict
from mtcsn_hw.training.run import train_and_save

ROOT = Path(__file__).resolve().parents[1]
MODELS = ("mtcsn", "lif", "adlif")
PROTOCOLS = ("direct", "autoregressive")
LABEL = {"mtcsn": "MTCSN", "lif": "LIF (snnTorch)", "adlif": "SE-adLIF"}
COLUMNS = [("smape", "sMAPE", 2), ("nrmse", "NRMSE", 3), ("spike_rate", "spikes/neuron/step", 4),
           ("nonzero_fraction", "nonzero outputs", 4), ("synops_effective", "eff. synops/step", 1),
           ("train_seconds", "train s", 0)]


BEGIN, END = "<!-- table: bench/mg_table.py -->", "<!-- /table -->"


def run_dir(model: str, protocol: str, seed: int) -> Path:
    if protocol == "direct" and seed == 0:
        return ROOT / "models" / f"mg-{model}"
    return ROOT / "runs" / "mg" / f"{model}-{protocol}-s{seed}"


def ensure_run(model: str, protocol: str, seed: int, train: bool) -> dict | None:
    cfg = TrainConfig(model=model, protocol=protocol, seed=seed)
    path = run_dir(model, protocol, seed)
    try:
        ck = load_checkpoint(path)
        if ck.config == cfg:
            return ck.metrics
    except CheckpointError:
        pass
    if not train:
        return None
    print(f"training {path.name}", file=sys.stderr, flush=True)
    return train_and_save(cfg, path, progress=True)


def fmt(values, digits):
    v = np.asarray(values, float)
    if len(v) == 1:
        return f"{v[0]:.{digits}f}"
    return f"{v.mean():.{digits}f} ± {v.std(ddof=1):.{digits}f}"


def table(results: dict, seeds) -> str:
    lines = []
    for protocol in PROTOCOLS:
        title = ("Direct forecast of x(t + 75), one Lyapunov time ahead" if protocol == "direct"
                 else "NeuroBench protocol: teacher-forced training, autoregressive test over 10 Lyapunov times")
        lines += [f"**{title}** (test part; mean ± std over seeds)", "",
                  "| model | neurons | seeds | " + " | ".join(c[1] for c in COLUMNS) + " |",
                  "|---|---|---|" + "---|" * len(COLUMNS)]
        for model in MODELS:
            runs = [results[(model, protocol, s)] for s in seeds if results.get((model, protocol, s))]
            head = f"| {LABEL[model]} | {TrainConfig(model=model, protocol=protocol).n_hidden} |"
            if not runs:
                lines.append(f"{head} 0 | " + " | ".join("–" for _ in COLUMNS) + " |")
                continue
            cells = [fmt([r[k] for r in runs], d) for k, _, d in COLUMNS]
            lines.append(f"{head} {len(runs)} | " + " | ".join(cells) + " |")
        lines.append("")
    return "\n".join(lines)


def figures(seeds) -> list[str]:
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    made = []
    for protocol in PROTOCOLS:
        cks = {m: _load(run_dir(m, protocol, seeds[0])) for m in MODELS}
        cks = {m: ck for m, ck in cks.items() if ck is not None}
        if not cks:
            continue
        preds = {m: predict(ck.model, ck.series, ck.normaliser, protocol, ck.config.horizon) for m, ck in cks.items()}
        fig, axes = plt.subplots(len(cks), 1, figsize=(9, 2.2 * len(cks)), sharex=True, squeeze=False)
        for ax, (m, p) in zip(axes[:, 0], preds.items(), strict=True):
            n = np.arange(len(p["y_true"]))
            ax.plot(n, p["y_true"], "k", lw=1, label="truth")
            ax.plot(n, p["y_pred"], "C3", lw=1, label="prediction")
            ax.set_ylabel("x")
            ax.set_title(f"{LABEL[m]}: sMAPE {cks[m].metrics['smape']:.2f}, "
                         f"{cks[m].metrics['spike_rate']:.4f} spikes/neuron/step", fontsize=9)
        axes[0, 0].legend(loc="upper right", fontsize=8)
        axes[-1, 0].set_xlabel("test sample (75 per Lyapunov time)")
        fig.tight_layout()
        made.append(_save(fig, f"mg-{protocol}-predictions.png"))
        plt.close(fig)
        if protocol == "direct":
            fig, axes = plt.subplots(len(cks), 1, figsize=(9, 2.2 * len(cks)), sharex=True, squeeze=False)
            for ax, (m, p) in zip(axes[:, 0], preds.items(), strict=True):
                ev = p["events"][:300, 0, :]
                t, i = np.nonzero(ev)
                ax.scatter(t, i, s=2, c="k", marker="|")
                ax.set_ylabel("neuron")
                ax.set_title(f"{LABEL[m]}: hidden spike events, first 300 test steps", fontsize=9)
                ax.set_ylim(-1, ev.shape[1])
            axes[-1, 0].set_xlabel("test sample")
            fig.tight_layout()
            made.append(_save(fig, "mg-raster.png"))
            plt.close(fig)
    return made


def _load(path):
    try:
        return load_checkpoint(path)
    except CheckpointError:
        return None


def _save(fig, name) -> str:
    path = ROOT / "docs" / "figures" / name
    with atomic_path(path) as tmp:
        fig.savefig(tmp, format="png", dpi=110)
    return str(path.relative_to(ROOT))


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    ap.add_argument("--models", nargs="+", default=list(MODELS), choices=MODELS)
    ap.add_argument("--protocols", nargs="+", default=list(PROTOCOLS), choices=PROTOCOLS)
    ap.add_argument("--table-only", action="store_true", help="do not train; use finished runs only")
    args = ap.parse_args(argv)
    torch.set_num_threads(1)  # small tensors: one thread is faster, and leaves the other core free
    results = {}
    for protocol in args.protocols:
        for seed in args.seeds:
            for model in args.models:
                results[(model, protocol, seed)] = ensure_run(model, protocol, seed, train=not args.table_only)
    for protocol in PROTOCOLS:  # report everything finished, also outside this invocation's selection
        for seed in args.seeds:
            for model in MODELS:
                if results.get((model, protocol, seed)) is None:
                    results[(model, protocol, seed)] = ensure_run(model, protocol, seed, train=False)
    write_json(ROOT / "docs" / "mackey-glass-results.json",
               [{"model": m, "protocol": p, "seed": s, **r} for (m, p, s), r in sorted(results.items()) if r])
    text = table(results, args.seeds)
    doc = ROOT / "docs" / "mackey-glass.md"
    old = doc.read_text() if doc.exists() else f"{BEGIN}\n{END}\n"
    if BEGIN not in old or END not in old:
        raise SystemExit(f"{doc} lacks the {BEGIN} / {END} markers")
    head, rest = old.split(BEGIN, 1)
    write_text(doc, head + BEGIN + "\n" + text + "\n" + END + rest.split(END, 1)[1])
    made = figures(args.seeds)
    print(text)
    print("\n".join(made))
    return 0


if __name__ == "__main__":
    sys.exit(main())
