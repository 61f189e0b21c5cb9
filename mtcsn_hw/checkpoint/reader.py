"""The one reader of a checkpoint folder, below both `training` and `circuit`.

    NAME/config.json          training configuration (model, protocol, horizon, residual, ...)
    NAME/params.json          plain parameters: normaliser, readout, output filter, input weights, and for
                              MTCSN the layer settings and one neuron-parameter dict per hidden neuron
    NAME/data.npz             the series it was trained and tested on (numpy only, allow_pickle=False)
    NAME/metrics.json         test metrics recorded at the end of training
    NAME/weights.safetensors  the torch state dict (read by training only)

config.json and params.json are read together and checked against each other, so every reader sees
one consistent description of what shapes the model's output.
"""
from __future__ import annotations

import json
import zipfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from mtcsn_hw.errors import CheckpointError
from mtcsn_hw.model.params import NeuronParams
from mtcsn_hw.tasks.forecasting import Normaliser
from mtcsn_hw.tasks.mackey_glass import MackeyGlassSeries

FILES = ("config.json", "params.json", "weights.safetensors", "data.npz", "metrics.json")
FORMAT = "mtcsn-hw/forecaster/1"


@dataclass(frozen=True)
class CheckpointData:
    """Everything a checkpoint folder says, as plain data."""

    path: Path
    config: dict
    params: dict
    metrics: dict
    series: MackeyGlassSeries

    @property
    def model(self) -> str:
        return str(self.config["model"])

    @property
    def protocol(self) -> str:
        return str(self.config.get("protocol", "direct"))

    @property
    def horizon(self) -> int:
        """Samples ahead the output predicts: 1 for the autoregressive protocol."""
        return 1 if self.protocol == "autoregressive" else int(self.config.get("horizon", 1))

    @property
    def residual(self) -> bool:
        """True when the output is the input plus what the network computes (y = f + x)."""
        r = self.config.get("residual")
        return self.protocol == "autoregressive" if r is None else bool(r)

    @property
    def out_decay(self) -> float:
        return float(self.params.get("out_decay") or 0.0)

    @property
    def normaliser(self) -> Normaliser:
        n = self.params["normaliser"]
        return Normaliser(float(n["mean"]), float(n["std"]))

    @property
    def layer(self) -> dict:
        """MTCSN layer settings: dt, substeps, v_th, v_sat."""
        return dict(self.params.get("layer") or {})

    @property
    def sample_dt(self) -> float:
        """Model time units one input sample lasts (the layer holds it for `substeps` steps of dt)."""
        layer = self.layer
        return float(layer.get("dt", 1.0)) * int(layer.get("substeps", 1))

    def neurons(self) -> list[NeuronParams]:
        if self.model != "mtcsn" or "neurons" not in self.params:
            raise CheckpointError(f"{self.path}: only MTCSN checkpoints hold neuron parameters")
        try:
            return [NeuronParams.from_dict(d) for d in self.params["neurons"]]
        except CheckpointError:
            raise
        except Exception as exc:  # a ParameterError names the field
            raise CheckpointError(f"{self.path}/params.json: bad neuron parameters: {exc}") from None


def _read_json(path: Path):
    try:
        return json.loads(path.read_text(), parse_constant=_reject_constant)
    except FileNotFoundError:
        raise CheckpointError(f"incomplete checkpoint {path.parent}: missing {path.name}") from None
    except (json.JSONDecodeError, UnicodeDecodeError, OSError, ValueError) as exc:
        raise CheckpointError(f"corrupt checkpoint file {path}: {exc}") from None


def _reject_constant(name: str):
    raise ValueError(f"non-finite number {name}")


def _check_consistent(path: Path, config: dict, params: dict) -> None:
    if not isinstance(config, dict) or not isinstance(params, dict):
        raise CheckpointError(f"{path}: config.json and params.json must hold JSON objects")
    if "model" not in config:
        raise CheckpointError(f"{path}/config.json names no model")
    if params.get("model") not in (None, config["model"]):
        raise CheckpointError(f"{path}: params.json is for model {params.get('model')!r}, config.json for "
                              f"{config['model']!r}")
    for key in ("normaliser", "readout", "input_weights", "input_bias"):
        if key not in params:
            raise CheckpointError(f"{path}/params.json lacks {key!r}")
    if config["model"] == "mtcsn":
        neurons = params.get("neurons")
        if not isinstance(neurons, list) or "layer" not in params:
            raise CheckpointError(f"{path}/params.json lacks the MTCSN layer or its neurons")
        if len(neurons) != len(params["input_weights"]) or len(neurons) != len(params["input_bias"]):
            raise CheckpointError(f"{path}/params.json: {len(neurons)} neurons but "
                                  f"{len(params['input_weights'])} input weights")
        n_hidden = config.get("n_hidden")
        if n_hidden is not None and int(n_hidden) != len(neurons):
            raise CheckpointError(f"{path}: config.json says {n_hidden} hidden neurons, params.json has "
                                  f"{len(neurons)}")


def read_series(path: Path) -> MackeyGlassSeries:
    try:
        with np.load(path, allow_pickle=False) as d:
            return MackeyGlassSeries.from_arrays(d)
    except FileNotFoundError:
        raise CheckpointError(f"incomplete checkpoint {path.parent}: missing {path.name}") from None
    except (ValueError, KeyError, OSError, zipfile.BadZipFile) as exc:
        raise CheckpointError(f"corrupt checkpoint file {path}: {exc}") from None


def read_checkpoint(path) -> CheckpointData:
    """Read and cross-check a checkpoint folder; CheckpointError with one line when it is not one."""
    path = Path(path)
    if not path.is_dir():
        raise CheckpointError(f"no checkpoint directory at {path}")
    missing = [f for f in FILES if not (path / f).is_file()]
    if missing:
        raise CheckpointError(f"incomplete checkpoint {path}: missing {', '.join(missing)}")
    config = _read_json(path / "config.json")
    params = _read_json(path / "params.json")
    _check_consistent(path, config, params)
    metrics = _read_json(path / "metrics.json")
    return CheckpointData(path=path, config=config, params=params, metrics=metrics,
                          series=read_series(path / "data.npz"))
