"""Mismatch-aware (robust) retraining: spec -> model spreads -> warm-started training with fresh chips at
every step -> evaluation on chips training never saw.

Seeds, disjoint by construction (docs/retraining.md):
  training  model-level draws (training.mismatch.draw) from streams 'train/<iteration>' of `seed`, in the
            hash namespace mtcsn-hw/model-mismatch/1: never a circuit chip;
  evaluation circuit chips of the Monte Carlo engine (spec + chip seed, hash namespace mtcsn-hw/mismatch/1),
            seeds EVAL_SEED0 ... EVAL_SEED0 + chips - 1, each mapped onto the model (circuit_chips).
"""
from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from mtcsn_hw.atomic import check_writable
from mtcsn_hw.checkpoint.reader import CheckpointData
from mtcsn_hw.circuit.build import units_for
from mtcsn_hw.circuit.mismatch import load_spec
from mtcsn_hw.errors import CheckpointError, ParameterError
from mtcsn_hw.retraining.circuit_chips import chip_devices, circuit_chip
from mtcsn_hw.retraining.model_chips import chip_smapes, spread_summary
from mtcsn_hw.retraining.spreads import model_spreads
from mtcsn_hw.training.checkpoint import Checkpoint, load_checkpoint, plain_params, save_checkpoint
from mtcsn_hw.training.evaluate import metrics, predict
from mtcsn_hw.training.loop import fit
from mtcsn_hw.training.mismatch import MismatchSampler

EVAL_SEED0 = 1000
LEVEL = "behavioral"   # the circuit whose knobs the spreads describe (its sky130 twin's draws)


def load_mtcsn(path) -> Checkpoint:
    ck = load_checkpoint(path)
    if ck.config.model != "mtcsn":
        raise CheckpointError(f"{path}: robust retraining needs an MTCSN checkpoint, this one is {ck.config.model!r}")
    return ck


def eval_seeds(chips: int, seed0: int = EVAL_SEED0) -> list[int]:
    if isinstance(chips, bool) or not isinstance(chips, int) or chips < 1:
        raise ParameterError(f"chips must be a positive integer, got {chips!r}")
    return list(range(seed0, seed0 + chips))


def evaluate_on_chips(ck: Checkpoint, spec, seeds) -> dict:
    """Model-level test sMAPE of a checkpoint on circuit chips `seeds` of `spec` (its scale included)."""
    units = units_for(LEVEL)
    devices = chip_devices(ck.data, units)
    chips = [circuit_chip(ck.data, spec, s, units, devices) for s in seeds]
    args = (ck.model, ck.series, ck.normaliser, ck.config.protocol, ck.config.horizon)
    nominal = chip_smapes(*args, [None])[0]
    values = chip_smapes(*args, chips)
    return {"seeds": list(seeds), "scale": spec.scale, "smape": values, **spread_summary(values, nominal)}


def robust_settings(mismatch, spec, seed: int, spreads, source, sampler: MismatchSampler, iterations: int) -> dict:
    return {"source": str(source), "mismatch": str(mismatch), "spec": spec.to_json(), "scale": spec.scale,
            "seed": int(seed), "spreads": spreads.as_dict(), "iterations": int(iterations),
            "per_sequence": sampler.per_sequence, "scale_range": sampler.scale_range, "level": LEVEL}


def retrain_robust(source, out, mismatch="sky130", scale: float = 1.0, seed: int = 0, iterations: int | None = None,
                   per_sequence: bool = True, scale_range: bool = False, chips: int = 20,
                   progress: bool = True) -> dict:
    """Warm-start `source` and train it with fresh mismatch at every step; write the checkpoint `out`
    (config.json's `robust` records the settings) and compare both on `chips` unseen circuit chips at the
    training scale. scale_range: train on chips from nominal up to the spec's sigmas. Every input is checked
    before training starts; nothing is written on an error."""
    seeds = eval_seeds(chips)
    if isinstance(seed, bool) or not isinstance(seed, int) or seed < 0:
        raise ParameterError(f"seed must be a non-negative integer, got {seed!r}")
    spec = load_spec(mismatch).scaled(scale)
    ck = load_mtcsn(source)
    spreads = model_spreads(spec, units_for(LEVEL))
    n_iter = ck.config.iterations if iterations is None else int(iterations)
    sampler = MismatchSampler(spreads, seed, per_sequence, scale_range)
    cfg = replace(ck.config, iterations=n_iter,
                  robust=robust_settings(mismatch, spec, seed, spreads, Path(source), sampler, n_iter)).validate()
    check_writable(out, folder=True)
    before = evaluate_on_chips(ck, spec, seeds)
    model, series, norm, history = fit(cfg, series=ck.series, progress=progress, model=ck.model, mismatch=sampler)
    m = metrics(predict(model, series, norm, cfg.protocol, cfg.horizon), model.binary)
    m["train_seconds"] = round(history["train_seconds"], 2)
    m["final_loss"] = sum(history["loss"][-10:]) / len(history["loss"][-10:])
    params = plain_params(model, cfg, norm)
    data = CheckpointData(Path(out), cfg.to_dict(), params, m, series)
    after = evaluate_on_chips(Checkpoint(model.eval(), cfg, series, norm, m, params, data), spec, seeds)
    m["mismatch_chips"] = {"source": before, "robust": after}
    save_checkpoint(out, model, cfg, series, norm, m)
    return {"out": str(out), "source": str(source), "robust": cfg.robust, **m}
