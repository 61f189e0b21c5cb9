"""What the `calibrate` command does, as one library function: a source (a preset, a PARAMS.json, a
checkpoint folder) -> the chips S, S+1, ..., S+N-1 calibrated by calibration.chip_job into a resumable run
folder (calibration.engine), and the before/after medians over chips.
"""
from __future__ import annotations

import math
import numbers
from pathlib import Path

import numpy as np

from mtcsn_hw.calibration.chip_job import calibrate_chip
from mtcsn_hw.calibration.engine import run_sweep
from mtcsn_hw.calibration.measure_spikes import MIN_PERIODS, driven_stimulus
from mtcsn_hw.calibration.reference import autonomous_spikes
from mtcsn_hw.calibration.reference import fine_model_spikes as model_spikes
from mtcsn_hw.calibration.refine import REFINE_STEPS
from mtcsn_hw.calibration.tolerances import IV_RMSE_MAX
from mtcsn_hw.checkpoint.reader import read_checkpoint
from mtcsn_hw.circuit.build import units_for
from mtcsn_hw.circuit.mismatch import load_spec
from mtcsn_hw.errors import ParameterError
from mtcsn_hw.model.params import NeuronParams
from mtcsn_hw.model.presets import PROTOCOLS
from mtcsn_hw.model.regimes import classify, spike_features
from mtcsn_hw.model.rhythm import RHYTHM_KEYS, rhythm

DRIVEN_SEED = 1
T_AUTO_DEFAULT = 3000.0
T_DRIVEN_MIN = 2000.0


def load_neurons(source=None, preset=None) -> tuple[list, str, float]:
    """(neurons, label, autonomous run length) of a preset, a PARAMS.json or a checkpoint folder."""
    if bool(source) == bool(preset):
        raise ParameterError("give exactly one of PARAMS.json, models/NAME or --preset NAME")
    if preset:
        return [NeuronParams.preset(preset)], f"preset:{preset}", float(PROTOCOLS[preset].t_end)
    path = Path(source)
    if path.is_dir():
        return read_checkpoint(path).neurons(), str(path), T_AUTO_DEFAULT
    if not path.exists():
        raise ParameterError(f"{source} does not exist (give PARAMS.json, models/NAME or --preset NAME)")
    return [NeuronParams.load(path)], str(path), T_AUTO_DEFAULT


def model_reference(neurons, t_auto: float) -> tuple[list, float]:
    """Per neuron the model's regime and rhythm (autonomous, near the continuous-time limit), and the driven
    length: >= MIN_PERIODS of the slowest neuron's inter-burst period (its ISI when it does not burst)."""
    refs, periods = [], []
    for spikes in autonomous_spikes(neurons, t_auto):
        feats = spike_features(spikes, 0.0, t_auto)
        refs.append({"regime": classify(spikes, 0.0, t_auto), "rhythm": rhythm(spikes, t_auto)})
        periods.append(feats.get("burst_period") or feats.get("median_isi") or 0.0)
    t_driven = max(T_DRIVEN_MIN, MIN_PERIODS * max(periods))
    return refs, float(math.ceil(t_driven / 100.0) * 100.0)


def _integer(what: str, value, minimum: int) -> int:
    try:
        n = int(str(value).strip()) if not isinstance(value, numbers.Integral) else int(value)
    except ValueError:
        raise ParameterError(f"{what} must be an integer, got {value!r}") from None
    if isinstance(value, bool) or n < minimum:
        raise ParameterError(f"{what} must be an integer >= {minimum}, got {value!r}")
    return n


def chip_context(neurons, level: str, corner: str, temp: float, spec, tol: float, max_iter: int,
                 t_auto: float, refine_steps: int = REFINE_STEPS) -> dict:
    units_for(level, corner, temp)  # unknown level / corner / temperature: refused before any chip runs
    refs, t_driven = model_reference(neurons, t_auto)
    for p, ref in zip(neurons, refs, strict=True):
        stim = driven_stimulus(t_driven, DRIVEN_SEED)
        ref["driven_spikes"] = model_spikes(p, stim).tolist()
    return {"neurons": [p.to_dict() for p in neurons], "level": level, "corner": corner, "temp": float(temp),
            "spec": None if spec is None else spec.to_json(), "tol": float(tol), "max_iter": int(max_iter),
            "refine_steps": int(refine_steps), "t_auto": float(t_auto), "t_driven": t_driven,
            "driven_seed": DRIVEN_SEED, "reference": refs}


def run_chips(out, source=None, preset=None, level="behavioral", corner="tt", temp=27.0, mismatch_seed=0,
              chips=1, dask=None, workers=None, spec="sky130", tol=IV_RMSE_MAX, max_iter=10, command="calibrate",
              progress=None, refine_steps=REFINE_STEPS):
    """Calibrate chips into `out`; returns the engine's SweepReport."""
    seed = _integer("--mismatch-seed", mismatch_seed, 0)
    count = _integer("--chips", chips, 1)
    n_workers = None if workers is None else _integer("--workers", workers, 1)
    neurons, label, t_auto = load_neurons(source, preset)
    mismatch = load_spec(spec) if spec is not None else None
    steps = _integer("--refine-steps", refine_steps, 0)
    context = chip_context(neurons, level, corner, temp, mismatch, tol, max_iter, t_auto, steps)
    arguments = {"command": command, "source": label, **{k: context[k] for k in (
        "neurons", "level", "corner", "temp", "spec", "tol", "max_iter", "refine_steps", "t_auto", "t_driven",
        "driven_seed")},
        "driven_stimulus": driven_stimulus(context["t_driven"], context["driven_seed"])}
    return run_sweep(calibrate_chip, out, count, first_seed=seed, context=context, workers=n_workers,
                     dask_address=dask, run_arguments=arguments, progress=progress)


def _medians(per_chip: list, when: str) -> dict:
    def med(key):
        vals = [c.get(f"{when}.{key}") for c in per_chip]
        vals = [v for v in vals if v is not None]
        return float(np.median(vals)) if vals else None
    return {"iv_rmse": med("iv_rmse"), "gamma": med("gamma"), "rhythm": {k: med(k) for k in RHYTHM_KEYS},
            "regime_kept_fraction": med("regime_kept_fraction")}


def calibration_summary(report) -> dict:
    """The calibrate command's JSON: medians over chips before/after, iterations, per chip."""
    per_chip = report.summary.get("per_chip", [])
    its = [c["iterations"] for c in per_chip if c.get("iterations") is not None]
    return {"out": str(report.path), "run_key": report.run_key,
            "before": _medians(per_chip, "before"), "after": _medians(per_chip, "after"),
            "iterations": float(np.median(its)) if its else None,
            "twin_gamma": _medians_field(per_chip, "twin_gamma"),
            "calibrated_twin_gamma": _medians_field(per_chip, "calibrated_twin_gamma"),
            "twin_gamma_dc": _medians_field(per_chip, "twin_gamma_dc"),
            "calibrated_twin_gamma_dc": _medians_field(per_chip, "calibrated_twin_gamma_dc"),
            "chips": per_chip, "computed": report.computed, "skipped": report.skipped,
            "failed": {str(k): v for k, v in report.failed.items()}, "seconds": report.seconds}


def _medians_field(per_chip: list, key: str):
    vals = [c.get(key) for c in per_chip if c.get(key) is not None]
    return float(np.median(vals)) if vals else None


def run_calibration(out, **request) -> dict:
    return calibration_summary(run_chips(out, **request))
