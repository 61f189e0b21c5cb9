"""What one calibrated chip reports: per neuron the before/after comparison against the trained model
(I-V error from the measured curves, driven Gamma, rhythm and regime of the autonomous run), the twin's
Gamma, the iterations; per chip a flat summary (result.json, aggregated by the engine) and its files.

  iv_rmse   worst of the measured fast and slow I-V curves' RMSE, fraction of the model curve's full scale
  gamma     coincidence factor of the circuit's driven train against the model's (the reference) under the
            same OU input, window 5 % of the model's median ISI (gamma_window, model time units), the first of
            the protocol's >= MIN_PERIODS periods left out (the start-up)
  twin_gamma  the twin's driven train against the circuit's (before calibration), window 5 % of the
            circuit's median ISI: how well the twin predicts this chip as made
  calibrated_twin_gamma  the same for the calibrated chip's twin (twin_calibrated.json, what chip-specific
            retraining freezes) against the calibrated chip
  twin_gamma_dc, calibrated_twin_gamma_dc  the same for the twins before their refinement on the spike train
"""
from __future__ import annotations

import io

import numpy as np

from mtcsn_hw.calibration.record import driven_washout, gamma, rhythm
from mtcsn_hw.calibration.tolerances import GAMMA_MIN_TWIN, TARGETS, all_of, verdicts
from mtcsn_hw.circuit import edits
from mtcsn_hw.circuit.bench import Tran
from mtcsn_hw.circuit.mismatch import spec_from_json, table_json
from mtcsn_hw.circuit.render import render_file
from mtcsn_hw.model.regimes import classify
from mtcsn_hw.model.rhythm import RHYTHM_KEYS

TWIN_FORMAT = "mtcsn-hw/twin/1"


def _state(target, k: int, state: dict, ref: dict, context: dict) -> dict:
    meas = state["measurements"][k]
    auto, driven = meas.runs["autonomous"], meas.runs["driven"]
    g, window = gamma(ref["driven_spikes"], driven.spike_times, driven.duration, driven_washout(driven))
    regime = classify(auto.spike_times, 0.0, auto.duration)
    iv = state["iv"][k]
    beat = rhythm(auto.spike_times, auto.duration)
    return {"iv_rmse": iv["iv_rmse"], "iv_fast": iv["fast"]["rmse"], "iv_slow": iv["slow"]["rmse"],
            "gamma": g, "gamma_window": window, "rhythm": beat,
            "regime": regime, "regime_kept": regime == ref["regime"], "spikes": int(auto.spike_times.size),
            "targets": verdicts(iv["iv_rmse"], g, beat, ref["rhythm"])}


def _twin_judged(circuit_run, twin_spikes, key: str) -> dict:
    g, window = gamma(circuit_run.spike_times, twin_spikes, circuit_run.duration, driven_washout(circuit_run))
    return {key: g, f"{key}_window": window, f"{key}_ok": bool(g >= GAMMA_MIN_TWIN)}


def neuron_record(target, k: int, before: dict, after: dict, twin_trains: tuple, tune, context: dict,
                  dc_trains: tuple) -> dict:
    """twin_trains: the driven trains of the chip's twin as made (twin.json) and of its calibrated twin
    (twin_calibrated.json), each judged against its own chip's circuit train: before and after calibration;
    dc_trains: the same for the two twins before their refinement (the DC twins)."""
    ref = context["reference"][k]
    raw, calibrated = twin_trains
    before_run, after_run = before["measurements"][k].runs["driven"], after["measurements"][k].runs["driven"]
    return {"neuron": k, "model": {"regime": ref["regime"], "rhythm": ref["rhythm"]},
            "before": _state(target, k, before, ref, context), "after": _state(target, k, after, ref, context),
            "iterations": int(tune.iterations), "converged": bool(tune.converged),
            "retune_iv_error": [h["iv_error"]["worst"] for h in tune.history],
            **_twin_judged(before_run, raw, "twin_gamma"),
            **_twin_judged(after_run, calibrated, "calibrated_twin_gamma"),
            "twin_gamma_dc": _twin_judged(before_run, dc_trains[0], "g")["g"],
            "calibrated_twin_gamma_dc": _twin_judged(after_run, dc_trains[1], "g")["g"]}


def _median(values):
    vals = [v for v in values if v is not None]
    return float(np.median(vals)) if vals else None


def _flat_state(records: list, when: str) -> dict:
    states = [r[when] for r in records]
    out = {f"{when}.iv_rmse": _median([s["iv_rmse"] for s in states]),
           f"{when}.gamma": _median([s["gamma"] for s in states])}
    for key in RHYTHM_KEYS:
        out[f"{when}.{key}"] = _median([s["rhythm"][key] for s in states])
    for key in TARGETS:
        out[f"{when}.{key}"] = all_of(s["targets"][key] for s in states)
    out[f"{when}.meets_targets"] = all_of(out[f"{when}.{key}"] for key in TARGETS)
    out[f"{when}.regime_kept"] = all(s["regime_kept"] for s in states)
    out[f"{when}.regime_kept_fraction"] = sum(s["regime_kept"] for s in states) / len(states)
    if len(states) == 1:
        out[f"{when}.regime"] = states[0]["regime"]
    return out


def chip_summary(records: list, seconds: float) -> dict:
    return {**_flat_state(records, "before"), **_flat_state(records, "after"),
            "iterations": max(r["iterations"] for r in records),
            "converged": all(r["converged"] for r in records),
            "twin_gamma": _median([r["twin_gamma"] for r in records]),
            "twin_gamma_ok": all_of(r["twin_gamma_ok"] for r in records),
            "calibrated_twin_gamma": _median([r["calibrated_twin_gamma"] for r in records]),
            "calibrated_twin_gamma_ok": all_of(r["calibrated_twin_gamma_ok"] for r in records),
            "twin_gamma_dc": _median([r["twin_gamma_dc"] for r in records]),
            "calibrated_twin_gamma_dc": _median([r["calibrated_twin_gamma_dc"] for r in records]),
            "neurons": len(records), "seconds": seconds, "seconds_per_neuron": seconds / len(records)}


def comparison(records: list) -> dict:
    """The chip's before/after in the calibrate command's shape (medians over neurons; per neuron too)."""
    def shape(when):
        flat = _flat_state(records, when)
        return {"iv_rmse": flat[f"{when}.iv_rmse"], "gamma": flat[f"{when}.gamma"],
                "rhythm": {k: flat[f"{when}.{k}"] for k in RHYTHM_KEYS},
                "regime_kept_fraction": flat[f"{when}.regime_kept_fraction"]}
    return {"before": shape("before"), "after": shape("after"),
            "iterations": max(r["iterations"] for r in records),
            "twin_gamma": _median([r["twin_gamma"] for r in records]),
            "calibrated_twin_gamma": _median([r["calibrated_twin_gamma"] for r in records]), "neurons": records}


def _one_or_many(items: list, fmt: str | None = None):
    if len(items) == 1:
        return items[0]
    return {**({"format": fmt} if fmt else {}), "neurons": items}


def _arrays(before: dict, after: dict) -> bytes:
    arrays = {}
    for when, state in (("before", before), ("after", after)):
        for k, meas in state["measurements"].items():
            for name, sweep in meas.elements.items():
                arrays[f"{when}/{k}/element/{name}/v"] = sweep.v
                arrays[f"{when}/{k}/element/{name}/current"] = sweep.current
                if sweep.held is not None:   # the output swept alone, the input held at held/v_in
                    arrays[f"{when}/{k}/element/{name}/held/v_in"] = np.asarray(sweep.held["v_in"])
                    arrays[f"{when}/{k}/element/{name}/held/v"] = sweep.held["v"]
                    arrays[f"{when}/{k}/element/{name}/held/current"] = sweep.held["current"]
            iv = state["iv"][k]
            arrays[f"{when}/{k}/iv/v"] = iv["v"]
            for c in ("fast", "slow", "ultraslow"):
                arrays[f"{when}/{k}/iv/{c}/circuit"] = iv[c]["circuit"]
                arrays[f"{when}/{k}/iv/{c}/model"] = iv[c]["model"]
    buf = io.BytesIO()
    np.savez_compressed(buf, **arrays)
    return buf.getvalue()


def _measurement_summary(state: dict) -> list:
    out = []
    for k, meas in state["measurements"].items():
        runs = {n: {"stimulus": r.stimulus, "spike_times": r.spike_times.tolist()} for n, r in meas.runs.items()}
        iv = {c: state["iv"][k][c]["rmse"] for c in ("fast", "slow", "ultraslow")}
        out.append({"neuron": k, "filters": dict(meas.filters), "membrane_c": meas.membrane_c, "runs": runs,
                    "iv_rmse": iv})
    return out


def calibrated_netlist(bench, chip, context: dict) -> str:
    u = chip.units
    step = u.seconds(0.5)
    bench = edits.set_analyses(bench, Tran(step, u.seconds(float(context["t_auto"])), 0.0, step))
    return render_file(bench, "calibrated.out")


def chip_files(chip, context, before, after, twins, tunes, records, bench, refined) -> dict:
    """twins: (the uncalibrated chip's twins, the calibrated chip's twins): twin.json and twin_calibrated.json,
    both in the twin format (the second fitted to the final DC measurements, calibrated biases and trims on);
    refined: their refinements, the uncalibrated chip's first (refinement.json)."""
    twins, calibrated_twins = twins
    n = len(twins)
    spec = context.get("spec")
    table = table_json(spec_from_json(spec), chip.seed, chip.table) if spec else {
        "format": "mtcsn-hw/mismatch-table/1", "seed": chip.seed, "spec": None, "devices": {}}
    return {
        "mismatch.json": table,
        "measurements.json": {"format": "mtcsn-hw/chip-measurements/1", "arrays": "measurements.npz",
                              "before": _measurement_summary(before), "after": _measurement_summary(after),
                              "element_fits": [{n: f.to_dict() for n, f in t.fits.items()} for t in twins]},
        "measurements.npz": _arrays(before, after),
        "twin.json": _one_or_many([t.params.to_dict() for t in twins], TWIN_FORMAT),
        "twin_calibrated.json": _one_or_many([t.params.to_dict() for t in calibrated_twins], TWIN_FORMAT),
        "biases.json": _one_or_many([t.knobs.to_dict() for t in tunes]),
        "history.json": _one_or_many([t.to_dict() for t in tunes]),
        "refinement.json": _one_or_many([{"twin": refined[k].to_dict(), "calibrated_twin": refined[n + k].to_dict()}
                                         for k in range(n)]),
        "comparison.json": comparison(records),
        "calibrated.cir": calibrated_netlist(bench, chip, context),
    }
