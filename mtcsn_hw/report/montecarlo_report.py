"""What the `montecarlo` command does: N mismatched chips calibrated (calibration.calibrate_run), then the
distribution over chips of the I-V error, the firing regime and the rhythm before and after calibration, the
regime yield (fraction of chips keeping the model's regime, Wilson 95 % interval) before and after, and two
figures in the run folder: the I-V envelope (model curve, band of the chips' curves, spec limits) and the
yield bars.
"""
from __future__ import annotations

import json
from collections import Counter

import numpy as np

from mtcsn_hw.calibration.calibrate_run import run_chips
from mtcsn_hw.errors import ParameterError
from mtcsn_hw.plotting import plt, save_figure

FIELDS = ("iv_rmse", "gamma", "spikes_per_burst", "intra_burst_isi", "period", "regime_kept_fraction")


def _distribution(summary: dict) -> dict:
    fields = summary.get("fields", {})
    return {when: {f: fields.get(f"{when}.{f}") for f in FIELDS} for when in ("before", "after")}


def _regimes(per_chip: list) -> dict:
    return {when: dict(Counter(c.get(f"{when}.regime") for c in per_chip if c.get(f"{when}.regime")))
            for when in ("before", "after")}


def _yields(summary: dict) -> dict:
    y = summary.get("yields", {})
    return {when: y.get(f"{when}.regime_kept") for when in ("before", "after")}


def _curves(folder, seeds, when: str, name: str):
    model, chips, v = None, [], None
    for seed in seeds:
        path = folder / "chips" / f"chip-{seed}" / "measurements.npz"
        if not path.exists():
            continue
        with np.load(path, allow_pickle=False) as data:
            v = data[f"{when}/0/iv/v"]
            model = data[f"{when}/0/iv/{name}/model"]
            chips.append(data[f"{when}/0/iv/{name}/circuit"])
    return v, model, chips


def plot_iv_envelope(folder, seeds, tol: float, path, name: str = "fast") -> None:
    fig, ax = plt.subplots(figsize=(6, 4))
    v = model = None
    for when, colour in (("before", "tab:red"), ("after", "tab:blue")):
        v, model, chips = _curves(folder, seeds, when, name)
        if chips:
            arr = np.stack(chips)
            ax.fill_between(v, arr.min(0), arr.max(0), color=colour, alpha=0.3,
                            label=f"{len(chips)} chip(s) {when} calibration")
    if model is not None:
        scale = float(model.max() - model.min())
        ax.plot(v, model, "k", lw=1.5, label="model")
        for sign in (-1, 1):
            ax.plot(v, model + sign * tol * scale, "k--", lw=0.8, label="spec limit" if sign > 0 else None)
    ax.set_xlabel("V (model units)")
    ax.set_ylabel(f"{name} I-V current (model units)")
    ax.legend(fontsize=8)
    save_figure(fig, path)


def spike_trains(folder, seeds, when: str, run: str = "autonomous") -> list:
    """(seed, spike times of neuron 0) per chip under one protocol, as the chip folders recorded them."""
    trains = []
    for seed in seeds:
        path = folder / "chips" / f"chip-{seed}" / "measurements.json"
        if not path.exists():
            continue
        record = json.loads(path.read_text())[when][0]["runs"].get(run)
        if record is not None:
            trains.append((seed, np.asarray(record["spike_times"], float)))
    return trains


def plot_rasters(folder, seeds, path, run: str = "autonomous") -> None:
    """Each chip's spike train before (red) and after (blue) calibration, one row per chip."""
    fig, ax = plt.subplots(figsize=(9, 0.45 * max(len(seeds), 2) + 1.2))
    for when, colour, offset in (("before", "tab:red", 0.18), ("after", "tab:blue", -0.18)):
        for k, (seed, times) in enumerate(spike_trains(folder, seeds, when, run)):
            ax.plot(times, np.full(times.size, seeds.index(seed) + offset), "|", color=colour, ms=6,
                    label=f"{when} calibration" if k == 0 else None)
    ax.set_yticks(range(len(seeds)), [f"chip {s}" for s in seeds])
    ax.set_xlabel("time (model units)")
    ax.set_title(f"{run} spike trains of neuron 0 per chip", fontsize=10)
    ax.legend(fontsize=8, loc="upper left", bbox_to_anchor=(1.0, 1.0))
    save_figure(fig, path)


def plot_yield(yields: dict, path) -> None:
    fig, ax = plt.subplots(figsize=(4, 3.5))
    labels, values, lows, highs = [], [], [], []
    for when in ("before", "after"):
        y = yields.get(when) or {}
        f = y.get("fraction")
        labels.append(when)
        values.append(0.0 if f is None else f)
        lo, hi = y.get("wilson95", [0.0, 1.0])
        lows.append(values[-1] - lo)
        highs.append(hi - values[-1])
    ax.bar(labels, values, yerr=[lows, highs], capsize=6, color=["tab:red", "tab:blue"])
    ax.set_ylim(0, 1.05)
    ax.set_ylabel("regime yield (Wilson 95 %)")
    save_figure(fig, path)


def run_montecarlo(out, chips=None, **request) -> dict:
    if chips is None:
        raise ParameterError("montecarlo needs --chips N")
    report = run_chips(out, chips=chips, command="montecarlo", **request)
    summary = report.summary
    seeds = [c["seed"] for c in summary.get("per_chip", [])]
    yields = _yields(summary)
    plot_iv_envelope(report.path, seeds, float(request.get("tol", 0.01)), report.path / "iv_envelope.png")
    plot_yield(yields, report.path / "yield.png")
    plot_rasters(report.path, seeds, report.path / "rasters.png")
    return {"out": str(report.path), "chips": summary.get("chips"), "done": summary.get("done"),
            "failed": summary.get("failures"), "distribution": _distribution(summary),
            "regimes": _regimes(summary.get("per_chip", [])), "regime_yield": yields,
            "figures": ["iv_envelope.png", "yield.png", "rasters.png"], "seconds": report.seconds}
