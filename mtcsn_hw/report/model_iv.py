"""What `mtcsn-hw iv` does, as one call: a neuron's I-V report, optionally drawn to a figure."""
from __future__ import annotations

from mtcsn_hw.model.iv_report import iv_report, sweep
from mtcsn_hw.model.params import NeuronParams


def run_iv(params: NeuronParams, source: str = "", v_min: float = -4.0, v_max: float = 4.0, points: int = 401,
           plot=None) -> dict:
    """The I-V report over [v_min, v_max]; with `plot`, the three curves drawn to that .png/.pdf/.svg."""
    v = sweep(v_min, v_max, points)
    if plot:
        from mtcsn_hw.plotting import check_figure_path

        check_figure_path(plot)
    report = iv_report(params, source, v)
    if plot:
        plot_iv(report, plot)
    return report


def plot_iv(report: dict, path) -> None:
    from mtcsn_hw.plotting import plt, save_figure

    fig, axes = plt.subplots(1, len(report["curves"]), figsize=(11, 3.2))
    for ax, (name, c) in zip(axes, report["curves"].items(), strict=True):
        ax.plot(report["v"], c["i"], color="k")
        for a, b in c["negative_slope"]:
            ax.axvspan(a, b, color="tab:red", alpha=0.15)
        ax.axvline(report["v_rest"], color="tab:blue", ls=":", lw=0.8)
        ax.set_title(f"{name} ({c['shape']})", fontsize=10)
        ax.set_xlabel("V (model units)")
    axes[0].set_ylabel("I (model units)")
    fig.suptitle(report["source"], fontsize=10)
    fig.tight_layout()
    save_figure(fig, path)
