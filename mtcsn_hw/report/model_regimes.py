"""What `mtcsn-hw regimes` does, as one call: each preset simulated and classified, optionally drawn."""
from __future__ import annotations

from mtcsn_hw.model.regime_runs import run_all


def run_regimes(dt: float = 0.1, plot=None) -> dict:
    """{"dt", "presets": {name: {spike_times, t_on, t_end, class, features}}}; with `plot`, the voltage
    traces drawn to that file."""
    if plot:
        from mtcsn_hw.plotting import check_figure_path

        check_figure_path(plot)
    results = run_all(dt)
    if plot:
        plot_regimes(results, plot)
    presets = {name: {k: v for k, v in r.items() if k != "trace"} for name, r in results.items()}
    return {"dt": dt, "presets": presets}


def plot_regimes(results: dict, path) -> None:
    """Voltage trace per preset; `results` as `model.regime_runs.run_all` returns them (with traces)."""
    from mtcsn_hw.plotting import plt, save_figure

    fig, axes = plt.subplots(len(results), 1, figsize=(9, 2.3 * len(results)))
    for ax, (name, r) in zip(axes, results.items(), strict=True):
        tr = r["trace"]
        ax.plot(tr.t.numpy(), tr.v.detach().numpy(), lw=0.8, color="k")
        if r["t_on"] > 0:
            ax.axvline(r["t_on"], color="tab:red", ls="--", lw=0.8, label="stimulus step")
            ax.legend(loc="upper left", fontsize=8)
        ax.set_title(f"{name} preset: classified '{r['class']}', {len(r['spike_times'])} spikes", fontsize=10)
        ax.set_ylabel("V (model units)")
    axes[-1].set_xlabel("time (model units, tau0)")
    fig.tight_layout()
    save_figure(fig, path)
