"""The report's figures as PNG bytes; spec limits drawn where a check has one."""
from __future__ import annotations

import io

import numpy as np

from mtcsn_hw.plotting import plt

MODEL, CIRCUIT, SPEC = "k", "tab:red", "tab:green"
TIMESCALES = ("fast", "slow", "ultraslow")


def png(fig) -> bytes:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=100, bbox_inches="tight")
    plt.close(fig)
    return buf.getvalue()


def iv_figure(iv: dict, limit: float, level: str) -> bytes:
    fig, axes = plt.subplots(1, 3, figsize=(12, 3.4))
    for ax, k in zip(axes, TIMESCALES, strict=True):
        m = iv["model"][k]
        band = limit * (float(m.max() - m.min()) or 1.0)
        ax.fill_between(iv["v"], m - band, m + band, color=SPEC, alpha=0.25, lw=0, label="spec: model +- limit")
        ax.plot(iv["v"], m, color=MODEL, lw=1.5, label="model")
        ax.plot(iv["v"], iv["circuit"][k], color=CIRCUIT, lw=1, ls="--", label=f"{level} circuit")
        ax.set_title(f"{k} I-V")
        ax.set_xlabel("V (model units)")
        ax.axhline(0, color="0.85", lw=0.5)
    axes[0].set_ylabel("I (model units)")
    axes[0].legend(fontsize=7)
    return png(fig)


def traces_figure(model: list, circuit: list, labels: list, xlabel: str) -> bytes:
    """model/circuit: per panel (t, v) in model units."""
    fig, axes = plt.subplots(len(labels), 1, figsize=(11, 2.4 * len(labels)), squeeze=False)
    for ax, (tm, vm), (tc, vc), label in zip(axes[:, 0], model, circuit, labels, strict=True):
        ax.plot(tm, vm, color=MODEL, lw=0.8, label="model")
        ax.plot(tc, vc, color=CIRCUIT, lw=0.8, alpha=0.8, label="circuit")
        ax.set_ylabel("V (model units)")
        ax.set_title(label, fontsize=9)
    axes[0, 0].legend(fontsize=7, loc="upper right")
    axes[-1, 0].set_xlabel(xlabel)
    fig.tight_layout()
    return png(fig)


def raster_figure(model: list, circuit: list, t_range: tuple, xlabel: str) -> bytes:
    fig, ax = plt.subplots(figsize=(11, max(2.0, 0.12 * len(model) + 1.2)))
    for k, (m, c) in enumerate(zip(model, circuit, strict=True)):
        ax.plot(m, np.full(len(m), k - 0.15), "|", color=MODEL, ms=5)
        ax.plot(c, np.full(len(c), k + 0.15), "|", color=CIRCUIT, ms=5)
    ax.set_xlim(*t_range)
    ax.set_ylim(-0.7, len(model) - 0.3)
    ax.set_xlabel(xlabel)
    ax.set_ylabel("neuron")
    ax.set_title("spikes: model (black, lower tick) vs circuit (red, upper tick)", fontsize=9)
    return png(fig)


def forecast_figure(k, y_true, y_model, y_circuit) -> bytes:
    fig, ax = plt.subplots(figsize=(11, 3.4))
    ax.plot(k, y_true, color="0.5", lw=1.5, label="truth")
    ax.plot(k, y_model, color=MODEL, lw=1, label="model")
    ax.plot(k, y_circuit, color=CIRCUIT, lw=1, ls="--", label="circuit")
    ax.set_xlabel("test sample")
    ax.set_ylabel("x(t + H)")
    ax.legend(fontsize=8, loc="upper right")
    return png(fig)


def supply_figure(t_model, i_dd, static_a: float, estimate_a: float, limit: float) -> bytes:
    fig, ax = plt.subplots(figsize=(11, 3.0))
    lo, hi = estimate_a * (1 - limit) * 1e9, estimate_a * (1 + limit) * 1e9
    ax.fill_between([t_model[0], t_model[-1]], [lo, lo], [hi, hi],
                    color=SPEC, alpha=0.2, lw=0, label="spec: bias-current estimate +- limit")
    ax.plot(t_model, np.asarray(i_dd) * 1e9, color=CIRCUIT, lw=0.7, label="supply current i_dd")
    ax.axhline(static_a * 1e9, color=MODEL, lw=1, ls="--", label="static (median)")
    ax.set_xlabel("time (tau0)")
    ax.set_ylabel("i_dd (nA)")
    ax.legend(fontsize=7, loc="upper right")
    return png(fig)


def ladder_figure(rungs: list, per_chip: dict, limit: float | None) -> bytes:
    """per_chip: chip -> list of sMAPE (None where absent) over `rungs`."""
    fig, ax = plt.subplots(figsize=(8, 3.4))
    x = np.arange(len(rungs))
    for chip, values in per_chip.items():
        pts = [(i, v) for i, v in enumerate(values) if v is not None]
        if pts:
            ax.plot(*zip(*pts, strict=True), "o-", lw=0.8, ms=4, label=chip)
    if limit is not None:
        ax.axhline(limit, color=SPEC, ls="--", lw=1, label="spec: max circuit sMAPE")
    ax.set_xticks(x, rungs)
    ax.set_ylabel("sMAPE")
    ax.legend(fontsize=6, ncol=2)
    return png(fig)


def convergence_figure(series_per_chip: dict) -> bytes:
    keys = sorted({k for s in series_per_chip.values() for k in s})[:6]
    fig, axes = plt.subplots(1, len(keys), figsize=(3.6 * len(keys), 3.0), squeeze=False)
    for ax, key in zip(axes[0], keys, strict=True):
        for chip, s in series_per_chip.items():
            if key in s:
                ax.plot(np.arange(len(s[key])), s[key], "o-", ms=3, lw=0.8, label=chip)
        vals = [v for s in series_per_chip.values() for v in s.get(key, [])]
        if vals and min(vals) > 0:
            ax.set_yscale("log")
        ax.set_title(key, fontsize=9)
        ax.set_xlabel("iteration")
    axes[0, 0].legend(fontsize=6)
    return png(fig)


def mc_iv_figure(model_iv: dict, chips: list, limit: float) -> bytes:
    fig, axes = plt.subplots(1, 3, figsize=(12, 3.4))
    for ax, k in zip(axes, TIMESCALES, strict=True):
        m = model_iv["model"][k]
        band = limit * (float(m.max() - m.min()) or 1.0)
        ax.fill_between(model_iv["v"], m - band, m + band, color=SPEC, alpha=0.25, lw=0, label="spec")
        curves = [np.interp(model_iv["v"], c["v"], c[k]) for c in chips if k in c]
        if curves:
            arr = np.array(curves)
            ax.fill_between(model_iv["v"], arr.min(0), arr.max(0), color=CIRCUIT, alpha=0.3, lw=0,
                            label=f"chips (envelope of {len(curves)})")
        ax.plot(model_iv["v"], m, color=MODEL, lw=1.5, label="model")
        ax.set_title(f"{k} I-V, Monte Carlo")
        ax.set_xlabel("V (model units)")
    axes[0].legend(fontsize=7)
    return png(fig)


def energy_figure(rows: list) -> bytes:
    """rows: (label, joules, is_this_circuit) on a log axis."""
    fig, ax = plt.subplots(figsize=(9, 0.35 * len(rows) + 1.2))
    y = np.arange(len(rows))
    ax.barh(y, [r[1] for r in rows], color=[CIRCUIT if r[2] else "0.6" for r in rows])
    ax.set_yticks(y, [r[0] for r in rows], fontsize=7)
    ax.set_xscale("log")
    ax.set_xlabel("joules")
    ax.invert_yaxis()
    return png(fig)
