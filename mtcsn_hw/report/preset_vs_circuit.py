"""A preset neuron against its circuits: voltage traces on one time axis and the fast/slow/ultra-slow
I-V curves overlaid, with the regime, Gamma and I-V RMSE of each level."""
from __future__ import annotations

import time
from pathlib import Path

import numpy as np

from mtcsn_hw.circuit.build import neuron_spec, units_for
from mtcsn_hw.circuit.compare import classify, coincidence_factor, iv_rmse
from mtcsn_hw.circuit.iv import iv_curves_circuit, iv_curves_model
from mtcsn_hw.circuit.network import network_bench
from mtcsn_hw.circuit.simulate import run_transient
from mtcsn_hw.model.neuron import simulate_neuron
from mtcsn_hw.model.presets import PROTOCOLS, preset
from mtcsn_hw.plotting import plt, save_figure

LEVELS = ("behavioral", "transistor")
COLORS = {"model": "k", "behavioral": "tab:blue", "transistor": "tab:red"}


def compare_preset(name: str = "bursting", out: str | Path = "docs/figures", model_dt: float = 0.01,
                   levels=LEVELS) -> dict:
    """Simulate the preset in the model (at model_dt) and as a circuit at each level; write
    circuit_<name>_traces.png and circuit_<name>_iv.png to `out`; return the numbers."""
    out = Path(out)
    params, pr = preset(name), PROTOCOLS[name]
    t = np.arange(int(round(pr.t_end / model_dt))) * model_dt
    m = simulate_neuron(params, i_app=pr.current(t), dt=model_dt)
    traces = {"model": (m.t.numpy(), m.v.numpy().reshape(-1), m.spikes.numpy())}
    ivs, summary = {}, {"preset": name}
    for level in levels:
        units = units_for(level)
        start = time.perf_counter()
        tr = run_transient(network_bench(neuron_spec(params, name), units), units, 1)
        mu = tr.model_units()
        traces[level] = (mu["t"], mu["v"][:, 0], mu["spikes"][0])
        circ = iv_curves_circuit(params, units, v_lo=-4, v_hi=4, step=0.05)
        model_iv = iv_curves_model(params, circ["v"], circ["v_rest"])
        ivs[level] = circ
        ivs["model"] = model_iv
        summary[level] = {
            "regime": classify(mu["spikes"][0], pr.t_on, pr.t_end),
            "gamma": coincidence_factor(traces["model"][2], mu["spikes"][0], 2.0, pr.t_end),
            "n_spikes": int(len(mu["spikes"][0])),
            "iv_rmse": {k: iv_rmse(circ["v"], model_iv[k], circ[k]) for k in ("fast", "slow", "ultraslow")},
            "wall_s": time.perf_counter() - start,
        }
    summary["model"] = {"regime": classify(traces["model"][2], pr.t_on, pr.t_end),
                        "n_spikes": int(len(traces["model"][2]))}

    fig, ax = plt.subplots(figsize=(11, 3.6))
    for key, (tt, vv, _) in traces.items():
        ax.plot(tt, vv, color=COLORS[key], lw=0.8, alpha=0.9 if key == "model" else 0.75,
                label=key if key == "model" else f"{key} circuit")
    ax.set_xlabel("time (model units; circuit time / tau0)")
    ax.set_ylabel("V (model units; (V_m - V_rest) / V0)")
    ax.set_title(f"{name} preset: model vs circuit")
    ax.legend(loc="upper right", fontsize=8)
    save_figure(fig, out / f"circuit_{name}_traces.png")

    fig, axes = plt.subplots(1, 3, figsize=(12, 3.4))
    for ax, k in zip(axes, ("fast", "slow", "ultraslow")):
        ax.plot(ivs["model"]["v"], ivs["model"][k], color="k", lw=2, label="model")
        for level in levels:
            ax.plot(ivs[level]["v"], ivs[level][k], color=COLORS[level], lw=1, ls="--",
                    label=f"{level} ({100 * summary[level]['iv_rmse'][k]:.1f} %)")
        ax.axhline(0, color="0.8", lw=0.5)
        ax.set_title(f"{k} I-V")
        ax.set_xlabel("V (model units)")
        ax.legend(fontsize=7)
    axes[0].set_ylabel("I (model units, / I0)")
    save_figure(fig, out / f"circuit_{name}_iv.png")
    return summary
