"""What the `montecarlo` command does: N mismatched chips calibrated (calibration.calibrate_run), then the
distribution over chips of the I-V error, the firing regime and the rhythm before and after calibration, the
regime yield (fraction of chips keeping the model's regime, Wilson 95 % interval) before and after, the yield
of every calibration target (calibration.tolerances: a datasheet with PASS where YIELD_MIN of the chips meet
it), and figures in the run folder: the I-V envelope (model curve, band of the chips' curves, spec limits),
the yield bars and the spike rasters.
"""
from __future__ import annotations

import json
from collections import Counter

import numpy as np

from mtcsn_hw.calibration.calibrate_run import run_chips
from mtcsn_hw.calibration.tolerances import IV_RMSE_MAX, LIMITS, TARGETS, YIELD_MIN
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


def _meets(y: dict | None) -> bool | None:
    fraction = (y or {}).get("fraction")
    return None if fraction is None else fraction >= YIELD_MIN


def target_yields(summary: dict) -> dict:
    """Per calibration target (calibration.tolerances): its limit, the yield before and after calibration
    and whether the after-yield reaches YIELD_MIN (None where no chip could be judged)."""
    y = summary.get("yields", {})
    rows = {}
    for key in (*TARGETS, "meets_targets"):
        when = {w: y.get(f"{w}.{key}") for w in ("before", "after")}
        rows[key] = {"limit": LIMITS.get(key, "every target above"), **when, "pass": _meets(when["after"])}
    # each twin is judged once, against its own chip: the chip as made (before) and the calibrated chip (after)
    raw, calibrated = y.get("twin_gamma_ok"), y.get("calibrated_twin_gamma_ok")
    rows["twin_gamma_ok"] = {"limit": LIMITS["twin_gamma_ok"], "before": raw, "after": None, "pass": _meets(raw)}
    rows["calibrated_twin_gamma_ok"] = {"limit": LIMITS["calibrated_twin_gamma_ok"], "before": None,
                                        "after": calibrated, "pass": _meets(calibrated)}
    return rows


def datasheet(rows: dict) -> str:
    """The target yields as a table: Parameter, limit, before, after, Pass/Fail at YIELD_MIN."""
    def cell(y):
        return "-" if not y or not y.get("evaluated") else f"{y['passed']}/{y['evaluated']}"
    lines = [f"{'target':24} {'limit':44} {'before':>7} {'after':>7}  yield >= {YIELD_MIN:.0%}"]
    for key, r in rows.items():
        verdict = "-" if r["pass"] is None else ("PASS" if r["pass"] else "FAIL")
        lines.append(f"{key:24} {r['limit']:44} {cell(r['before']):>7} {cell(r['after']):>7}  {verdict}")
    return "\n".join(lines) + "\n"


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


def plot_yield(yields: dict, path, targets: dict | None = None) -> None:
    """Yield bars before (red) and after (blue) calibration with Wilson 95 % intervals: the regime, then
    each calibration target; the dashed line is the required yield."""
    groups = {"regime": yields, **{k: {w: r[w] for w in ("before", "after")} for k, r in (targets or {}).items()}}
    fig, ax = plt.subplots(figsize=(max(4.0, 1.1 * len(groups) + 1.5), 3.8))
    for offset, when, colour in ((-0.2, "before", "tab:red"), (0.2, "after", "tab:blue")):
        xs, values, lows, highs = [], [], [], []
        for x, group in enumerate(groups.values()):
            y = group.get(when) or {}
            if y.get("fraction") is None:
                continue
            lo, hi = y.get("wilson95", [0.0, 1.0])
            xs.append(x + offset)
            values.append(y["fraction"])
            lows.append(max(y["fraction"] - lo, 0.0))    # the interval's ends round off at 0 and 1
            highs.append(max(hi - y["fraction"], 0.0))
        ax.bar(xs, values, width=0.4, yerr=[lows, highs], capsize=4, color=colour, label=f"{when} calibration")
    if targets:
        ax.axhline(YIELD_MIN, color="k", ls="--", lw=0.8, label=f"required {YIELD_MIN:.0%}")
    ax.set_xticks(range(len(groups)), [g.replace("_", " ") for g in groups], rotation=30, ha="right", fontsize=8)
    ax.set_ylim(0, 1.05)
    ax.set_ylabel("yield over chips (Wilson 95 %)")
    ax.legend(fontsize=7, loc="upper left", bbox_to_anchor=(1.0, 1.0))
    save_figure(fig, path)


def run_montecarlo(out, chips=None, **request) -> dict:
    if chips is None:
        raise ParameterError("montecarlo needs --chips N")
    report = run_chips(out, chips=chips, command="montecarlo", **request)
    summary = report.summary
    seeds = [c["seed"] for c in summary.get("per_chip", [])]
    yields, targets = _yields(summary), target_yields(summary)
    plot_iv_envelope(report.path, seeds, float(request.get("tol", IV_RMSE_MAX)), report.path / "iv_envelope.png")
    plot_yield(yields, report.path / "yield.png", targets)
    plot_rasters(report.path, seeds, report.path / "rasters.png")
    return {"out": str(report.path), "chips": summary.get("chips"), "done": summary.get("done"),
            "failed": summary.get("failures"), "distribution": _distribution(summary),
            "regimes": _regimes(summary.get("per_chip", [])), "regime_yield": yields,
            "target_yield": targets,
            "figures": ["iv_envelope.png", "yield.png", "rasters.png"], "seconds": report.seconds}
