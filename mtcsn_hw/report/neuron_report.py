"""The numbers and figures of a single-neuron report (a preset or a PARAMS.json)."""
from __future__ import annotations

from mtcsn_hw.report import circuit_runs, energy, figures, model_runs
from mtcsn_hw.report.checks import THRESHOLDS
from mtcsn_hw.report.spike_agreement import compare_trains

STARTUP_FRACTION = 0.1   # the first 10 % of a run is start-up: left out of the energy figures


def neuron_energy(params, preset_name, level: str, run: dict | None) -> dict:
    """Supply figures of the transistor-level neuron (reusing `run` when it is one)."""
    if run is None or run["i_dd"] is None:
        run = circuit_runs.neuron_transient(params, preset_name, "transistor")
    t_from = STARTUP_FRACTION * run["t"][-1]
    n_spikes = int((run["spikes"] >= t_from).sum())
    measured = energy.supply_measurement(run["t_s"], run["t"], run["i_dd"], run["vdd"], t_from, n_spikes, 1)
    estimate = circuit_runs.supply_estimate([params])
    out = {"measured": measured, "estimate": estimate, "versus_estimate": energy.versus_estimate(measured, estimate),
           "window_start_tau0": t_from, "synaptic_event": None}
    fig = figures.supply_figure(run["t"], run["i_dd"], measured["static_current_a"], estimate["supply_a"],
                                THRESHOLDS["energy_relative"])
    return out, fig


def neuron_numbers(params, preset_name, level: str, skip_energy: bool) -> tuple[dict, dict]:
    """(data, figures) for one neuron: traces, spikes, I-V, mapping, energy."""
    protocol = model_runs.neuron_protocol(params, preset_name)
    model = model_runs.neuron_run(params, protocol)
    circ = circuit_runs.neuron_transient(params, preset_name, level, None if preset_name else protocol.t_end)
    iv = circuit_runs.iv_comparison(params, level)
    spikes = compare_trains(model["spikes"], circ["spikes"], protocol.t_on, protocol.t_end)
    spikes["protocol"] = {"i_before": protocol.i_before, "i_after": protocol.i_after, "t_on": protocol.t_on,
                          "t_end": protocol.t_end, "autonomous": protocol.t_on == 0.0}
    data = {"kind": "neuron", "units": circuit_runs.units_info(level),
            "mapping": circuit_runs.mapping_rows(params, level),
            "iv": {"rmse": iv["rmse"], "v_rest": iv["v_rest"]}, "iv_rmse": iv["rmse"], "spikes": spikes,
            "gamma": spikes["gamma"], "n_neurons": 1}
    figs = {
        "iv.png": ("I-V curves per timescale, model against circuit; the green band is the spec limit",
                   figures.iv_figure(iv, THRESHOLDS["iv_rmse"], level)),
        "traces.png": ("membrane voltage, model against circuit",
                       figures.traces_figure([(model["t"], model["v"])], [(circ["t"], circ["v"])],
                                             ["membrane voltage"], "time (tau0)")),
        "raster.png": ("spike times, model against circuit",
                       figures.raster_figure([model["spikes"]], [circ["spikes"]], (protocol.t_on, protocol.t_end),
                                             "time (tau0)")),
    }
    data["_iv_curves"] = iv   # arrays for the calibration figures; not written to JSON
    if skip_energy:
        data["energy"] = None
    else:
        data["energy"], fig = neuron_energy(params, preset_name, level, circ if level == "transistor" else None)
        data["energy"]["activity"] = {"spikes": data["energy"]["measured"]["spikes"]}
        figs["supply.png"] = ("supply current of the transistor-level neuron; green band: bias-current estimate "
                              "within the limit", fig)
    return data, figs
