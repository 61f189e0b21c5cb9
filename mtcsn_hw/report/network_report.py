"""The numbers and figures of a forecasting checkpoint's report: model against its exported circuit.

The checkpoint's first `steps` test samples drive the model (started at rest, like the netlist) and the
netlist; the model's output after sample k is compared with the circuit's readout at (k + 1) sample
periods. The first `washout` samples (start-up from rest) are left out of every number.
"""
from __future__ import annotations

import numpy as np

from mtcsn_hw.report import circuit_runs, energy, figures, model_runs
from mtcsn_hw.report.checks import THRESHOLDS
from mtcsn_hw.report.spike_agreement import compare_populations
from mtcsn_hw.tasks import metrics as M

WASHOUT = 50
TRANSISTOR_STEPS = 200     # the transistor netlist takes ~43 s for all 750 test samples: a >= 100-sample window
IV_NEURONS = 3             # neurons whose I-V curves are swept
TRACE_NEURONS = 3


def default_steps(level: str, n_test: int) -> int:
    return min(n_test, TRANSISTOR_STEPS) if level == "transistor" else n_test


def circuit_forecast(ck, model: dict, circ: dict, keep: slice) -> dict:
    steps = model["steps"]
    t_samples = (np.arange(steps) + 1) * ck.sample_dt
    y_circuit = ck.normaliser.inverse(np.interp(t_samples, circ["t"], circ["yout"]))
    y_true, y_model = model["y_true"][keep], model["y_model"][keep]
    return {"y_circuit": y_circuit, "smape_model": M.smape(y_model, y_true),
            "smape_circuit": M.smape(y_circuit[keep], y_true),
            "smape_circuit_vs_model": M.smape(y_circuit[keep], y_model),
            "nrmse_model": M.nrmse(y_model, y_true), "nrmse_circuit": M.nrmse(y_circuit[keep], y_true)}


def network_energy(ck, circ: dict, model: dict, keep: slice) -> dict:
    t_from = keep.start * ck.sample_dt
    n_spikes = int(sum((np.asarray(s) >= t_from).sum() for s in circ["spikes"]))
    n = len(circ["neurons"])
    measured = energy.supply_measurement(circ["t_s"], circ["t"], circ["i_dd"], circ["vdd"], t_from, n_spikes, n)
    samples = model["steps"] - keep.start
    measured["forecasts"] = samples
    measured["energy_per_forecast_j"] = measured["energy_j"] / samples
    estimate = circuit_runs.supply_estimate(circ["neurons"])
    syn = energy.synaptic_event_energy(
        circuit_runs.input_synapses(ck.params["input_weights"], model["u"][keep], ck.sample_dt), circ["vdd"])
    return {"measured": measured, "estimate": estimate, "versus_estimate": energy.versus_estimate(measured, estimate),
            "window_start_tau0": t_from, "synaptic_event": syn}


def _iv(neurons, level: str) -> dict:
    sweeps = [circuit_runs.iv_comparison(p, level) for p in neurons[:IV_NEURONS]]
    per = [s["rmse"] for s in sweeps]
    return {"neurons": list(range(len(per))), "rmse_per_neuron": per,
            "rmse_max": {k: max(r[k] for r in per) for k in ("fast", "slow", "ultraslow")}}, sweeps


def _network_figures(ck, model, circ, fc, keep, iv_sweep, level) -> dict:
    k = np.arange(keep.start, model["steps"])
    dt = ck.sample_dt
    busiest = list(np.argsort(-model["events"][keep].sum(0))[:TRACE_NEURONS])
    t_model = (np.arange(model["steps"]) + 1) * dt
    span = (keep.start * dt, min(model["steps"], keep.start + 300) * dt)
    sel = (circ["t"] >= span[0]) & (circ["t"] <= span[1])
    msel = (t_model >= span[0]) & (t_model <= span[1])
    model_spikes = [(np.nonzero(model["events"][:, j])[0] + 1) * dt for j in range(model["events"].shape[1])]
    return {
        "forecast.png": ("Mackey-Glass forecast on the test samples: truth, model and circuit",
                         figures.forecast_figure(k, model["y_true"][keep], model["y_model"][keep],
                                                 fc["y_circuit"][keep])),
        "traces.png": ("membrane voltage of the most active neurons, model against circuit",
                       figures.traces_figure([(t_model[msel], model["v"][msel, j]) for j in busiest],
                                             [(circ["t"][sel], circ["v"][j][sel]) for j in busiest],
                                             [f"neuron {j}" for j in busiest], "time (tau0)")),
        "raster.png": ("hidden-layer spikes, model against circuit",
                       figures.raster_figure(model_spikes, circ["spikes"], span, "time (tau0)")),
        "iv.png": ("I-V curves of the first hidden neuron, model against circuit",
                   figures.iv_figure(iv_sweep, THRESHOLDS["iv_rmse"], level)),
    }


def network_numbers(ck, level: str, steps: int | None, skip_energy: bool) -> tuple[dict, dict, dict]:
    """(data, figures, arrays for forecasts.npz) of an MTCSN forecaster against its circuit."""
    steps = default_steps(level, int(ck.series.n_test)) if steps is None else int(steps)
    model = model_runs.forecaster_run(ck.path, steps)
    keep = slice(min(WASHOUT, model["steps"] // 2), model["steps"])
    v_th = float(ck.layer.get("v_th", 0.5))
    circ = circuit_runs.network_transient(ck.path, level, model["steps"], v_th)
    fc = circuit_forecast(ck, model, circ, keep)
    t0, t1 = keep.start * ck.sample_dt, model["steps"] * ck.sample_dt
    model_spikes = [(np.nonzero(model["events"][:, j])[0] + 1) * ck.sample_dt for j in range(model["events"].shape[1])]
    spikes = compare_populations(model_spikes, circ["spikes"], t0, t1, 2 * ck.sample_dt)
    iv, sweeps = _iv(circ["neurons"], level)
    units = circuit_runs.units_info(level)
    data = {"kind": "forecaster", "units": units, "n_neurons": len(circ["neurons"]),
            "window": {"steps": model["steps"], "washout": keep.start, "kept": model["steps"] - keep.start,
                       "sample_dt_tau0": ck.sample_dt, "horizon": int(ck.horizon)},
            "mapping": [row for j, p in enumerate(circ["neurons"]) for row in circuit_runs.mapping_rows(p, level, j)],
            "circuit_forecast": {k: v for k, v in fc.items() if k != "y_circuit"},
            "smape_model": fc["smape_model"], "smape_circuit": fc["smape_circuit"],
            "spikes": spikes, "gamma": spikes["gamma"], "iv": iv, "iv_rmse": iv["rmse_max"],
            "activity": model_runs.activity(model, keep)}
    figs = _network_figures(ck, model, circ, fc, keep, sweeps[0], level)
    if skip_energy:
        data["energy"] = None
    else:
        run = circ if level == "transistor" else circuit_runs.network_transient(ck.path, "transistor",
                                                                               model["steps"], v_th)
        data["energy"] = network_energy(ck, run, model, keep)
        figs["supply.png"] = ("supply current of the transistor-level network; green band: bias-current estimate "
                              "within the limit",
                              figures.supply_figure(run["t"], run["i_dd"],
                                                    data["energy"]["measured"]["static_current_a"],
                                                    data["energy"]["estimate"]["supply_a"],
                                                    THRESHOLDS["energy_relative"]))
    data["_iv_curves"] = sweeps[0]
    arrays = {"y_true": model["y_true"][keep], "y_model": model["y_model"][keep], "y_circuit": fc["y_circuit"][keep],
              "sample": np.arange(keep.start, model["steps"])}
    return data, figs, arrays


def baseline_numbers(ck, steps: int | None) -> tuple[dict, dict, dict]:
    """LIF / AdLIF: no conductance circuit; the model's forecast and activity only."""
    steps = int(ck.series.n_test) if steps is None else int(steps)
    model = model_runs.forecaster_run(ck.path, steps)
    keep = slice(min(WASHOUT, model["steps"] // 2), model["steps"])
    y_true, y_model = model["y_true"][keep], model["y_model"][keep]
    data = {"kind": "forecaster", "n_neurons": int(model["events"].shape[1]), "circuit_forecast": None,
            "window": {"steps": model["steps"], "washout": keep.start, "kept": model["steps"] - keep.start,
                       "sample_dt_tau0": ck.sample_dt, "horizon": int(ck.horizon)},
            "smape_model": M.smape(y_model, y_true), "smape_circuit": None, "spikes": None, "gamma": None,
            "iv": None, "iv_rmse": None, "energy": None, "activity": model_runs.activity(model, keep), "mapping": []}
    k = np.arange(keep.start, model["steps"])
    figs = {"forecast.png": ("Mackey-Glass forecast on the test samples: truth and model",
                             figures.forecast_figure(k, y_true, y_model, np.full(len(k), np.nan)))}
    return data, figs, {"y_true": y_true, "y_model": y_model, "sample": k}
