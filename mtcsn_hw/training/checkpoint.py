"""Checkpoint folders on the training side: write one, and rebuild the torch model from one.

The folder format and its reading belong to `mtcsn_hw.checkpoint` (one reader for training, circuit
export and reports); this module adds only what needs torch: the state dict in weights.safetensors
(loaded without unpickling) and the `Forecaster` built from config.json.

`load_checkpoint(path)` returns a `Checkpoint` whose `.model` is a `Forecaster`:
    ck.model.hidden.w_in           input weights (n_hidden x (1 + len(input_lags))); .bias = per-neuron i_app
    ck.model.hidden.layer          the MTCSNLayer (MTCSN only): .neuron_params(), .dt, .substeps, .v_th, .v_sat
    ck.model.readout.weight, .bias readout (1 x n_hidden), (1,)
    ck.model.out_decay             the output low-pass filter's per-step decay (0 = none)
    ck.normaliser                  input/output scaling: u = (x - mean) / std (params.json)
    ck.data                        the plain `CheckpointData` the reader returned
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from safetensors import SafetensorError
from safetensors.torch import load_file, save_file

from mtcsn_hw.atomic import atomic_dir
from mtcsn_hw.checkpoint.reader import FILES, FORMAT, CheckpointData, read_checkpoint
from mtcsn_hw.errors import CheckpointError, MTCSNError
from mtcsn_hw.tasks.forecasting import Normaliser
from mtcsn_hw.tasks.mackey_glass import MackeyGlassSeries
from mtcsn_hw.training.config import TrainConfig
from mtcsn_hw.training.loop import build_model
from mtcsn_hw.training.network import Forecaster

__all__ = ["FILES", "FORMAT", "Checkpoint", "load_checkpoint", "save_checkpoint", "plain_params"]


@dataclass
class Checkpoint:
    model: Forecaster
    config: TrainConfig
    series: MackeyGlassSeries
    normaliser: Normaliser
    metrics: dict
    params: dict
    data: CheckpointData


def plain_params(model: Forecaster, cfg: TrainConfig, norm: Normaliser) -> dict:
    w_in = model.hidden.w_in.detach()
    out = {
        "format": FORMAT,
        "model": cfg.model,
        "normaliser": {"mean": norm.mean, "std": norm.std},
        "readout": {"weight": model.readout.weight.detach()[0].tolist(), "bias": float(model.readout.bias.detach()[0])},
        "out_decay": model.out_decay,
        # one column per input; a delay line's taps (input_lags) add columns that no circuit drives yet
        "input_weights": w_in[:, 0].tolist() if w_in.shape[1] == 1 else w_in.tolist(),
        "input_bias": model.hidden.bias.detach().tolist(),
    }
    if model.input_lags:
        out["input_lags"] = list(model.input_lags)
    if cfg.model == "mtcsn":
        layer = model.hidden.layer
        out["layer"] = {"dt": layer.dt, "substeps": layer.substeps, "v_th": layer.v_th, "v_sat": layer.v_sat,
                        "recurrent": layer.w_rec is not None}
        out["neurons"] = [p.to_dict() for p in layer.neuron_params()]
    return out


def save_checkpoint(path, model: Forecaster, cfg: TrainConfig, series: MackeyGlassSeries, norm: Normaliser,
                    metrics: dict, extra: dict | None = None) -> Path:
    """Write the folder atomically: it appears complete or not at all. extra: file name -> JSON-able object
    written beside the checkpoint's own files (e.g. what it was retrained for)."""
    path = Path(path)
    with atomic_dir(path) as tmp:
        for name, obj in (extra or {}).items():
            if name in FILES or "/" in name:
                raise ValueError(f"extra checkpoint file {name!r} would replace a checkpoint file")
            (tmp / name).write_text(json.dumps(obj, indent=1) + "\n")
        (tmp / "config.json").write_text(json.dumps(cfg.to_dict(), indent=2) + "\n")
        (tmp / "params.json").write_text(json.dumps(plain_params(model, cfg, norm), indent=1) + "\n")
        state = {k: v.detach().contiguous().clone() for k, v in model.state_dict().items()}
        save_file(state, str(tmp / "weights.safetensors"), metadata={"format": FORMAT})
        with open(tmp / "data.npz", "wb") as fh:
            np.savez(fh, **series.to_arrays())
        (tmp / "metrics.json").write_text(json.dumps(metrics, indent=2) + "\n")
    return path


def train_config(data: CheckpointData) -> TrainConfig:
    """config.json as a validated TrainConfig."""
    try:
        return TrainConfig.from_dict(data.config)
    except (TypeError, MTCSNError) as exc:
        raise CheckpointError(f"bad config in {data.path / 'config.json'}: {exc}") from None


def load_weights(data: CheckpointData, cfg: TrainConfig) -> Forecaster:
    """The Forecaster config.json describes, with the state dict from weights.safetensors (no pickle)."""
    path = data.path / "weights.safetensors"
    try:
        state = load_file(str(path))
    except (SafetensorError, OSError, ValueError) as exc:
        raise CheckpointError(f"corrupt checkpoint file {path}: {exc}") from None
    model = build_model(cfg)
    try:
        model.load_state_dict(state, strict=True)
    except RuntimeError as exc:
        first = " ".join(str(exc).strip().splitlines())[:300]
        raise CheckpointError(f"weights in {data.path} do not match config.json: {first}") from None
    return model.eval()


def load_checkpoint(path) -> Checkpoint:
    data = read_checkpoint(path)
    cfg = train_config(data)
    return Checkpoint(model=load_weights(data, cfg), config=cfg, series=data.series, normaliser=data.normaliser,
                      metrics=data.metrics, params=data.params, data=data)
