"""Score a forecasting checkpoint on Monte Carlo chips: every chip simulated on the test segment through the
Monte Carlo engine (atomic per-chip folders, resume, failure records, local workers or dask), and the
distribution of its sMAPE over chips against the nominal circuit.

    score_chips("models/mg-mtcsn", "runs/score", seeds=range(20))
    -> {"chips": [{"seed", "smape", "smape_model", "smape_vs_model"}, ...],
        "smape": {"median", "p10", "p90", "worst", "nominal", "model"}, "failed": {seed: reason}, ...}

Each chip folder holds mismatch.json (the chip's table) and forecasts.npz (y_true, y_model, y_circuit, washout).
With calibration=DIR the chips are that folder's chips, each with its calibrated biases (seeds None: all of
them). The nominal circuit is simulated once and kept in DIR/nominal.json beside the engine's files.
"""
from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from mtcsn_hw.atomic import write_json
from mtcsn_hw.calibration.chip_result import ChipResult
from mtcsn_hw.calibration.engine import run_sweep
from mtcsn_hw.calibration.jsonable import canonical_hash
from mtcsn_hw.checkpoint.reader import CheckpointData, read_checkpoint
from mtcsn_hw.circuit.build import units_for
from mtcsn_hw.circuit.mismatch import load_spec, spec_from_json, table_json
from mtcsn_hw.errors import ParameterError
from mtcsn_hw.retraining.calibrated_chip import check_same_network, chip_seeds, knobs_by_neuron, read_run
from mtcsn_hw.retraining.chip_forecast import WASHOUT, forecast_on_chip, model_forecast, test_length
from mtcsn_hw.retraining.chip_record import hardware_from_record, read_record
from mtcsn_hw.retraining.one_chip import draw_network_chip, network_neurons
from mtcsn_hw.retraining.score_figure import plot_scores
from mtcsn_hw.tasks.mackey_glass import MackeyGlassSeries

NOMINAL_FILE = "nominal.json"
FIGURE = "smape_chips.png"


def _checkpoint_of(context: dict) -> CheckpointData:
    c = context["checkpoint"]
    return CheckpointData(Path(c["name"]), c["config"], c["params"], {}, MackeyGlassSeries.from_arrays(c["series"]))


def _chip_data(seed: int, context: dict, ck: CheckpointData, units) -> tuple[dict, dict | None, dict]:
    """(device table, knobs or None, mismatch.json) of one chip: drawn from the spec, or a calibration's chip."""
    if context.get("calibration") is None:
        spec = spec_from_json(context["spec"])
        table = draw_network_chip(ck, units, spec, seed)
        return table, None, table_json(spec, seed, table)
    files = context["calibration"]["chips"].get(str(seed))
    if files is None:
        raise ParameterError(f"chip {seed} is not in the calibration folder")
    if files["mismatch"] is None or files["biases"] is None:
        raise ParameterError(f"chip {seed} of the calibration folder lacks mismatch.json or biases.json")
    try:
        mismatch, biases = json.loads(files["mismatch"]), json.loads(files["biases"])
    except ValueError as exc:
        raise ParameterError(f"chip {seed}: unreadable calibration file ({exc})") from None
    if not isinstance(mismatch, dict) or not isinstance(mismatch.get("devices"), dict):
        raise ParameterError(f"chip {seed}: mismatch.json has no device table")
    return mismatch["devices"], knobs_by_neuron(biases, len(ck.params["neurons"])), mismatch


def score_chip(seed: int, context: dict) -> ChipResult:
    """The Monte Carlo job: one chip's forecasts and sMAPEs."""
    ck = _checkpoint_of(context)
    units = units_for(context["level"], context["corner"], context["temp"])
    table, knobs, mismatch = _chip_data(seed, context, ck, units)
    hardware = None if context["hardware"] is None else hardware_from_record(context["hardware"])
    fc = forecast_on_chip(ck, units, table, knobs, context["n_test"], context["y_model"], hardware,
                          context["washout"])
    summary = {"smape": fc.smape(), "smape_model": fc.smape("model"), "smape_vs_model": fc.smape_vs_model(),
               "calibrated": knobs is not None}
    return ChipResult(summary=summary, files={"mismatch.json": mismatch, "forecasts.npz": fc.npz()})


def _calibration_context(calibration, seeds, ck: CheckpointData, neurons, level, corner, temp) -> tuple[dict, list]:
    run = read_run(calibration)
    run.check_circuit(level, corner, temp)
    check_same_network(run.targets, neurons, calibration, str(ck.path))
    seeds = chip_seeds(calibration) if seeds is None else list(seeds)
    if not seeds:
        raise ParameterError(f"calibration folder {calibration} holds no calibrated chip")
    chips = {}
    for seed in seeds:
        folder = Path(calibration) / "chips" / f"chip-{seed}"
        if folder.is_dir():
            chips[str(seed)] = {name: _text(folder / f"{name}.json") for name in ("mismatch", "biases")}
    return {"path": str(calibration), "run_key": run.run_key, "chips": chips}, seeds


def _text(path: Path) -> str | None:
    try:
        return path.read_text()
    except OSError:
        return None


def _context(ck: CheckpointData, level, corner, temp, spec, n_test, calibration, seeds) -> tuple[dict, list]:
    units_for(level, corner, temp)  # an unknown level, corner or temperature is refused before any chip runs
    record = read_record(ck.path)
    neurons = network_neurons(ck, None if record is None else hardware_from_record(record))
    n = test_length(ck, n_test)
    context = {"checkpoint": {"name": ck.path.name, "config": ck.config, "params": ck.params,
                              "series": {k: np.asarray(v).tolist() for k, v in ck.series.to_arrays().items()}},
               "hardware": record, "level": level, "corner": corner, "temp": float(temp), "n_test": n,
               "washout": WASHOUT, "spec": None, "calibration": None}
    if calibration is not None:
        context["calibration"], seeds = _calibration_context(calibration, seeds, ck, neurons, level, corner, temp)
    else:
        if seeds is None:
            raise ParameterError("give the chips' seeds (or a calibration folder)")
        context["spec"] = (load_spec("sky130") if spec is None else load_spec(spec)).to_json()
    return context, list(seeds)


def _nominal(out: Path, key: str, ck: CheckpointData, context: dict) -> dict:
    """The nominal circuit's sMAPE, simulated once per set of arguments and kept in out/nominal.json."""
    path = out / NOMINAL_FILE
    if path.exists():
        try:
            kept = json.loads(path.read_text())
            if kept.get("key") == key:
                return kept
        except ValueError:
            pass
    hardware = None if context["hardware"] is None else hardware_from_record(context["hardware"])
    units = units_for(context["level"], context["corner"], context["temp"])
    fc = forecast_on_chip(ck, units, None, None, context["n_test"], context["y_model"], hardware, context["washout"])
    kept = {"key": key, "smape": fc.smape(), "smape_model": fc.smape("model"), "smape_vs_model": fc.smape_vs_model()}
    write_json(path, kept)
    return kept


def distribution(values, nominal: float | None, model: float | None) -> dict:
    v = np.asarray([x for x in values if x is not None], float)
    if v.size == 0:
        return {"median": None, "p10": None, "p90": None, "worst": None, "nominal": nominal, "model": model, "n": 0}
    p10, med, p90 = np.percentile(v, [10, 50, 90])
    return {"median": float(med), "p10": float(p10), "p90": float(p90), "worst": float(v.max()),
            "best": float(v.min()), "nominal": nominal, "model": model, "n": int(v.size)}


def score_chips(checkpoint, out, seeds, level="behavioral", spec=None, corner="tt", temp=27.0,
                n_test=None, workers=None, dask=None, calibration=None) -> dict:
    """Simulate the checkpoint's network on each chip (mismatch spec + seed; spec None: the technology's shipped
    calibration/mismatch/sky130.json; or the chips of a calibration folder, with their calibrated biases) through
    the Monte Carlo engine, and return the sMAPE per chip and its distribution (median, p10, p90, worst) beside
    the nominal circuit's and the model's. Writes out/smape_chips.png."""
    ck = read_checkpoint(checkpoint)
    context, seeds = _context(ck, level, corner, temp, spec, n_test, calibration, seeds)
    context["y_model"] = model_forecast(ck, context["n_test"]).tolist()
    arguments = {"command": "score-chips", "checkpoint": ck.path.name, "context": canonical_hash(context)}
    report = run_sweep(score_chip, out, seeds=seeds, context=context, workers=workers, dask_address=dask,
                       run_arguments=arguments)
    nominal = _nominal(Path(out), arguments["context"], ck, context)
    chips = report.summary.get("per_chip", [])
    result = {"out": str(report.path), "checkpoint": str(ck.path), "run_key": report.run_key, "level": level,
              "corner": corner, "temp": float(temp), "calibration": None if calibration is None else str(calibration),
              "n_test": context["n_test"], "washout": context["washout"],
              "chips": [{"seed": c["seed"], "smape": c.get("smape"), "smape_model": c.get("smape_model"),
                         "smape_vs_model": c.get("smape_vs_model")} for c in chips],
              "smape": distribution([c.get("smape") for c in chips], nominal["smape"], nominal["smape_model"]),
              "failed": {str(f["seed"]): f["reason"] for f in report.summary.get("failures", [])},
              "computed": report.computed, "skipped": report.skipped, "seconds": report.seconds}
    result["figure"] = str(Path(out) / FIGURE)
    plot_scores(result, result["figure"])
    return result
