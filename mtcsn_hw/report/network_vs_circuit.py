"""A trained MTCSN forecaster against its own circuit: same input segment, same readout.

The checkpoint's test segment drives (a) the model, started at rest like the netlist, and (b) the
exported netlist in ngspice. The model's output after input step k is compared with the circuit's
readout at t = (k + 1) dt tau0; hidden activity as upward crossings of v_th per neuron. The first
`washout` steps (start-up from rest) are left out of every number.
"""
from __future__ import annotations

from pathlib import Path

import numpy as np
import torch

from mtcsn_hw.checkpoint.reader import read_checkpoint
from mtcsn_hw.circuit import ngspice
from mtcsn_hw.circuit.build import units_for
from mtcsn_hw.circuit.compare import upward_crossings
from mtcsn_hw.circuit.export import checkpoint_dir_spec
from mtcsn_hw.circuit.network import network_bench
from mtcsn_hw.model.spike_metrics import coincidence_factor
from mtcsn_hw.retraining.chip_forecast import model_forecast, readout
from mtcsn_hw.tasks import metrics as M
from mtcsn_hw.training.checkpoint import load_checkpoint


def compare_network(path, level: str = "behavioral", corner: str = "tt", washout: int = 75,
                    steps: int | None = None) -> dict:
    path = Path(path)
    ck = load_checkpoint(path)
    spec = checkpoint_dir_spec(path, steps)
    x, n0 = ck.series.x, ck.series.n_train
    n_test = len(spec.stimulus.series)
    units = units_for(level, corner)
    layer = ck.model.hidden.layer
    dt = float(layer.dt) * int(layer.substeps)
    horizon = read_checkpoint(path).horizon   # 1 for the autoregressive protocol

    u = ck.normaliser(x[n0:n0 + n_test])
    with torch.no_grad():
        events_model = ck.model(torch.tensor(u, dtype=torch.float32).reshape(-1, 1, 1)).events[:, 0, :].numpy()
    y_model = model_forecast(ck.data, n_test, ck.model)

    res = ngspice.run(network_bench(spec, units))
    t = res.plot("tran")["time"]
    y_circuit = readout(ck.data, units, res, n_test)
    n_hidden = len(spec.neurons)
    spikes_circuit = [units.to_model_t(upward_crossings(t, res.v(f"vm_{k}"), units.volt(layer.v_th)))
                      for k in range(n_hidden)]

    keep = slice(washout, n_test)
    t_keep = (washout * dt, n_test * dt)
    truth = x[n0 + horizon:n0 + horizon + n_test][keep]
    counts_model = events_model[keep].sum(0)
    counts_circuit = np.array([((s >= t_keep[0]) & (s < t_keep[1])).sum() for s in spikes_circuit])
    spikes_model = [(np.nonzero(events_model[:, k])[0] + 1) * dt for k in range(n_hidden)]
    gammas = [coincidence_factor(
        [s for s in spikes_model[k] if t_keep[0] <= s < t_keep[1]],
        [s for s in spikes_circuit[k] if t_keep[0] <= s < t_keep[1]], window=2 * dt, duration=t_keep[1] - t_keep[0])
        for k in range(n_hidden)]
    steps_kept = n_test - washout
    return {
        "checkpoint": str(path), "level": level, "corner": corner, "neurons": n_hidden,
        "steps": n_test, "washout": washout, "tau0_s": units.tau0, "attempt": res.attempt,
        "smape_model": M.smape(y_model[keep], truth), "smape_circuit": M.smape(y_circuit[keep], truth),
        "smape_circuit_vs_model": M.smape(y_circuit[keep], y_model[keep]),
        "nrmse_circuit_vs_model": float(np.sqrt(np.mean((y_circuit[keep] - y_model[keep]) ** 2))
                                        / np.std(y_model[keep])),
        "spike_rate_model": float(counts_model.sum() / (n_hidden * steps_kept)),
        "spike_rate_circuit": float(counts_circuit.sum() / (n_hidden * steps_kept)),
        "spike_count_correlation": float(np.corrcoef(counts_model, counts_circuit)[0, 1])
        if counts_model.std() > 0 and counts_circuit.std() > 0 else float("nan"),
        "median_gamma": float(np.median(gammas)),
        "series": {"truth": truth.tolist(), "model": y_model[keep].tolist(), "circuit": y_circuit[keep].tolist()},
        "rasters": {"model": [[float(s) for s in sp] for sp in spikes_model],
                    "circuit": [[float(s) for s in sp] for sp in spikes_circuit], "dt": dt},
    }


def plot_network_comparison(result: dict, path) -> None:
    from mtcsn_hw.plotting import plt, save_figure

    fig, (a1, a2) = plt.subplots(2, 1, figsize=(10, 6), sharex=False)
    k = np.arange(result["washout"], result["steps"])
    s = result["series"]
    a1.plot(k, s["truth"], color="k", lw=1, label="truth x(t + H)")
    a1.plot(k, s["model"], color="tab:blue", lw=1, label=f"model (sMAPE {result['smape_model']:.2f})")
    a1.plot(k, s["circuit"], color="tab:red", lw=1, ls="--",
            label=f"{result['level']} circuit (sMAPE {result['smape_circuit']:.2f})")
    a1.set_ylabel("x")
    a1.set_title(f"{result['checkpoint']}: readout, model vs {result['level']} circuit", fontsize=10)
    a1.legend(fontsize=8, loc="upper right")
    dt = result["rasters"]["dt"]
    for i, (m, c) in enumerate(zip(result["rasters"]["model"], result["rasters"]["circuit"], strict=True)):
        a2.plot(np.asarray(m) / dt, np.full(len(m), i), "|", color="tab:blue", ms=4)
        a2.plot(np.asarray(c) / dt, np.full(len(c), i + 0.4), "|", color="tab:red", ms=4)
    a2.set_xlim(0, min(result["steps"], 300))
    a2.set_xlabel("input step")
    a2.set_ylabel("hidden neuron")
    a2.set_title(f"spikes: model (blue) vs circuit (red), median Gamma {result['median_gamma']:.2f}", fontsize=10)
    fig.tight_layout()
    save_figure(fig, path)
