"""The sMAPE of every chip against the nominal circuit and the model, with the p10-p90 band over chips."""
from __future__ import annotations

import numpy as np

from mtcsn_hw.plotting import plt, save_figure


def plot_scores(result: dict, path) -> None:
    chips = [c for c in result["chips"] if c.get("smape") is not None]
    dist = result["smape"]
    fig, ax = plt.subplots(figsize=(max(5.0, 0.3 * len(chips) + 3), 3.6))
    x = np.arange(len(chips))
    if dist.get("p10") is not None:
        ax.axhspan(dist["p10"], dist["p90"], color="tab:red", alpha=0.12, label="p10 - p90 over chips")
        ax.axhline(dist["median"], color="tab:red", lw=1, ls=":", label=f"median {dist['median']:.2f}")
    ax.plot(x, [c["smape"] for c in chips], "o", color="tab:red", label="chip (circuit)")
    if dist.get("nominal") is not None:
        ax.axhline(dist["nominal"], color="k", lw=1.2, label=f"nominal circuit {dist['nominal']:.2f}")
    if dist.get("model") is not None:
        ax.axhline(dist["model"], color="tab:blue", lw=1, ls="--", label=f"model {dist['model']:.2f}")
    ax.set_xticks(x, [str(c["seed"]) for c in chips], fontsize=7)
    ax.set_xlabel("chip (mismatch seed)")
    ax.set_ylabel("sMAPE")
    ax.set_title(f"{result['checkpoint']} on {len(chips)} {result['level']} chip(s)"
                 + (" (calibrated)" if result.get("calibration") else ""), fontsize=9)
    ax.legend(fontsize=7, loc="upper left")
    fig.tight_layout()
    save_figure(fig, path)
