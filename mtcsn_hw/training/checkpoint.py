"""Checkpoint directories: everything needed to rebuild, re-evaluate and export a trained forecaster.

    NAME/config.json          TrainConfig (model, protocol, horizon, seed, sizes, MTCSN layer settings)
    NAME/params.json          plain-JSON parameters: normaliser, readout, and for MTCSN one NeuronParams
                              dict per hidden neuron (DESIGN section 7 format) with the layer's dt,
                              substeps, v_th, v_sat and the input weights
    NAME/weights.safetensors  the state dict (loaded without unpickling)
    NAME/data.npz             the Mackey-Glass series it was trained and tested on (t, x, n_train, n_test,
                              sample_dt); numpy arrays only, load with allow_pickle=False
    NAME/metrics.json         test metrics at the end of training, plus training time and loss

`load_checkpoint(path)` returns a `Checkpoint` whose `.model` is a `Forecaster`:
    ck.model.hidden.w_in           input weights (n_hidden x 1); ck.model.hidden.bias = per-neuron i_app
    ck.model.hidden.layer          the MTCSNLayer (MTCSN only): .neuron_params(), .dt, .substeps, .v_th, .v_sat
    ck.model.readout.weight, .bias readout (1 x n_hidden), (1,)
    ck.model.out_decay             the output low-pass filter's per-step decay (0 = none)
    ck.normaliser                  input/output scaling: u = (x - mean) / std
"""
from __future__ import annotations

import json
import zipfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from safetensors import SafetensorError
from safetensors.torch import load_file, save_file

from mtcsn_hw.atomic import atomic_dir
from mtcsn_hw.errors import CheckpointError, MTCSNError
from mtcsn_hw.tasks.forecasting import Normaliser
from mtcsn_hw.tasks.mackey_glass import MackeyGlassSeries
from mtcsn_hw.training.config import TrainConfig
from mtcsn_hw.training.loop import build_model
from mtcsn_hw.training.network import Forecaster

FILES = ("config.json", "params.json", "weights.safetensors", "data.npz", "metrics.json")
FORMAT = "mtcsn-hw/forecaster/1"


@dataclass
class Checkpoint:
    model: Forecaster
    config: TrainConfig
    series: MackeyGlassSeries
    normaliser: Normaliser
    metrics: dict
    params: dict


def plain_params(model: Forecaster, cfg: TrainConfig, norm: Normaliser) -> dict:
    out = {
        "format": FORMAT,
        "model": cfg.model,
        "normaliser": {"mean": norm.mean, "std": norm.std},
        "readout": {"weight": model.readout.weight.detach()[0].tolist(), "bias": float(model.readout.bias.detach()[0])},
        "out_decay": model.out_decay,
        "input_weights": model.hidden.w_in.detach()[:, 0].tolist(),
        "input_bias": model.hidden.bias.detach().tolist(),
    }
    if cfg.model == "mtcsn":
        layer = model.hidden.layer
        out["layer"] = {"dt": layer.dt, "substeps": layer.substeps, "v_th": layer.v_th, "v_sat": layer.v_sat}
        out["neurons"] = [p.to_dict() for p in layer.neuron_params()]
    return out


def save_checkpoint(path, model: Forecaster, cfg: TrainConfig, series: MackeyGlassSeries, norm: Normaliser,
                    metrics: dict) -> Path:
    path = Path(path)
    with atomic_dir(path) as tmp:
        (tmp / "config.json").write_text(json.dumps(cfg.to_dict(), indent=2) + "\n")
        (tmp / "params.json").write_text(json.dumps(plain_params(model, cfg, norm), indent=1) + "\n")
        state = {k: v.detach().contiguous().clone() for k, v in model.state_dict().items()}
        save_file(state, str(tmp / "weights.safetensors"), metadata={"format": FORMAT})
        with open(tmp / "data.npz", "wb") as fh:
            np.savez(fh, **series.to_arrays())
        (tmp / "metrics.json").write_text(json.dumps(metrics, indent=2) + "\n")
    return path


def _read_json(path: Path):
    try:
        return json.loads(path.read_text())
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise CheckpointError(f"corrupt checkpoint file {path}: {exc}") from None


def load_checkpoint(path) -> Checkpoint:
    path = Path(path)
    if not path.is_dir():
        raise CheckpointError(f"no checkpoint directory at {path}")
    missing = [f for f in FILES if not (path / f).is_file()]
    if missing:
        raise CheckpointError(f"incomplete checkpoint {path}: missing {', '.join(missing)}")
    try:
        cfg = TrainConfig.from_dict(_read_json(path / "config.json"))
    except (TypeError, MTCSNError) as exc:
        raise CheckpointError(f"bad config in {path / 'config.json'}: {exc}") from None
    params = _read_json(path / "params.json")
    metrics = _read_json(path / "metrics.json")
    try:
        with np.load(path / "data.npz", allow_pickle=False) as d:
            series = MackeyGlassSeries.from_arrays(d)
    except (ValueError, KeyError, OSError, zipfile.BadZipFile) as exc:
        raise CheckpointError(f"corrupt checkpoint file {path / 'data.npz'}: {exc}") from None
    try:
        state = load_file(str(path / "weights.safetensors"))
    except (SafetensorError, OSError, ValueError) as exc:
        raise CheckpointError(f"corrupt checkpoint file {path / 'weights.safetensors'}: {exc}") from None
    model = build_model(cfg)
    try:
        model.load_state_dict(state, strict=True)
    except RuntimeError as exc:
        first = str(exc).strip().splitlines()
        raise CheckpointError(f"weights in {path} do not match config.json: {' '.join(first)[:300]}") from None
    model.eval()
    norm = Normaliser.fit(series.x[:series.n_train])
    return Checkpoint(model=model, config=cfg, series=series, normaliser=norm, metrics=metrics, params=params)
