"""What a calibration consumes: one neuron's measurements, in model units, as a JSON-serialisable record.

  elements  per element: the DC sweep of its output, {"v": grid of V_x, "current": the element's outward
            membrane current (alpha tanh(V_x - delta) for an ideal element)}, input and output moving
            together, and optionally "held": {"v_in": the input held there, "v": grid of the output
            voltage, "current": ...}, the output swept alone (measure_elements);
  filters   per filter tag ("s", "us", ... as mapping.filter_tags names them): the measured tau;
  runs      optional transients by name ("driven", "autonomous"): the stimulus recipe (a fluctuation added
            to the neuron's own i_app, see stimulus_current), the spike times and, optionally, the membrane
            voltage sampled every v_dt from t = 0.
Saved as measurements.json, format "mtcsn-hw/measurements/1".
"""
from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from mtcsn_hw.errors import ParameterError
from mtcsn_hw.model.stimulus import ou_current

FORMAT = "mtcsn-hw/measurements/1"
STIMULUS_KINDS = ("constant", "ou")
SWEEP_KEYS = ("v", "current", "held")
HELD_KEYS = ("v_in", "v", "current")
RUN_KEYS = ("stimulus", "spike_times", "v", "v_dt")


def _array(what: str, values, min_size: int = 0) -> np.ndarray:
    try:
        arr = np.asarray(values, dtype=float)
    except (TypeError, ValueError):
        raise ParameterError(f"{what} must be a list of numbers") from None
    if arr.ndim != 1:
        raise ParameterError(f"{what} must be a flat list of numbers, got shape {arr.shape}")
    if arr.size < min_size:
        raise ParameterError(f"{what} needs at least {min_size} values, got {arr.size}")
    if not np.isfinite(arr).all():
        raise ParameterError(f"{what} contains non-finite values")
    return arr


def _positive(what: str, value) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value) or value <= 0:
        raise ParameterError(f"{what} must be a positive number, got {value!r}")
    return float(value)


def _sweep(what: str, v, current) -> tuple[np.ndarray, np.ndarray]:
    if v is None or current is None:
        raise ParameterError(f"{what} needs v and current")
    v, current = _array(f"{what} v", v, 5), _array(f"{what} current", current)
    if current.size != v.size:
        raise ParameterError(f"{what} has {v.size} voltages but {current.size} currents")
    if not (np.diff(v) > 0).all():
        raise ParameterError(f"{what} voltages must be strictly increasing")
    return v, current


@dataclass
class ElementSweep:
    v: np.ndarray
    current: np.ndarray
    held: dict | None = None      # {"v_in": float, "v": output voltages, "current": ...}

    def __post_init__(self):
        self.v, self.current = _sweep("sweep", self.v, self.current)
        if self.held is not None:
            h = _fields("held sweep", self.held, HELD_KEYS)
            if isinstance(h.get("v_in"), bool) or not isinstance(h.get("v_in"), (int, float)) \
                    or not math.isfinite(h["v_in"]):
                raise ParameterError(f"held sweep v_in must be a finite number, got {h.get('v_in')!r}")
            v, i = _sweep("held sweep", h.get("v"), h.get("current"))
            self.held = {"v_in": float(h["v_in"]), "v": v, "current": i}

    def to_dict(self) -> dict:
        out = {"v": self.v.tolist(), "current": self.current.tolist()}
        if self.held is not None:
            out["held"] = {"v_in": self.held["v_in"], "v": self.held["v"].tolist(),
                           "current": self.held["current"].tolist()}
        return out


def check_stimulus(spec) -> dict:
    if not isinstance(spec, dict) or spec.get("kind") not in STIMULUS_KINDS:
        raise ParameterError(f"stimulus must be an object with kind one of {STIMULUS_KINDS}")
    _positive("stimulus t_end", spec.get("t_end"))
    _positive("stimulus dt", spec.get("dt"))
    if spec["kind"] == "ou":
        for key in ("sigma", "tau"):
            _positive(f"OU stimulus {key}", spec.get(key))
        if not isinstance(spec.get("seed"), int) or isinstance(spec.get("seed"), bool):
            raise ParameterError("OU stimulus seed must be an integer")
    return dict(spec)


def stimulus_current(spec: dict, i_app: float) -> np.ndarray:
    """The applied current of every step: the neuron's own i_app plus the recipe's fluctuation."""
    spec = check_stimulus(spec)
    steps = int(round(spec["t_end"] / spec["dt"]))
    if spec["kind"] == "constant":
        return np.full(steps, float(i_app))
    return float(i_app) + ou_current(spec["t_end"], spec["dt"], 0.0, spec["sigma"], spec["tau"], spec["seed"])


@dataclass
class Run:
    stimulus: dict
    spike_times: np.ndarray
    v: np.ndarray | None = None
    v_dt: float | None = None

    def __post_init__(self):
        self.stimulus = check_stimulus(self.stimulus)
        if self.spike_times is None:
            raise ParameterError("a run needs spike_times")
        self.spike_times = _array("run spike_times", self.spike_times)
        if self.v is not None:
            self.v = _array("run v", self.v, 2)
            self.v_dt = _positive("run v_dt", self.v_dt)

    @property
    def duration(self) -> float:
        return float(self.stimulus["t_end"])

    def to_dict(self) -> dict:
        out = {"stimulus": self.stimulus, "spike_times": self.spike_times.tolist()}
        if self.v is not None:
            out.update(v=self.v.tolist(), v_dt=self.v_dt)
        return out


@dataclass
class Measurements:
    elements: dict[str, ElementSweep]
    filters: dict[str, float] = field(default_factory=dict)
    runs: dict[str, Run] = field(default_factory=dict)
    membrane_c: float | None = None    # the membrane's measured capacitance, model units (measure_membrane)

    def __post_init__(self):
        if not isinstance(self.elements, dict) or not self.elements:
            raise ParameterError("measurements need at least one element sweep")
        self.elements = {k: s if isinstance(s, ElementSweep) else ElementSweep(**_fields(f"element {k}", s, SWEEP_KEYS))
                         for k, s in self.elements.items()}
        self.filters = {k: _positive(f"filter {k} tau", v) for k, v in self.filters.items()}
        self.runs = {k: r if isinstance(r, Run) else Run(**_fields(f"run {k}", r, RUN_KEYS))
                     for k, r in self.runs.items()}
        if self.membrane_c is not None:
            self.membrane_c = _positive("membrane capacitance", self.membrane_c)

    def to_dict(self) -> dict:
        return {"format": FORMAT,
                "elements": {k: s.to_dict() for k, s in self.elements.items()},
                "filters": dict(self.filters),
                "runs": {k: r.to_dict() for k, r in self.runs.items()},
                **({} if self.membrane_c is None else {"membrane": {"c": self.membrane_c}})}

    @classmethod
    def from_dict(cls, data) -> Measurements:
        if not isinstance(data, dict) or data.get("format") != FORMAT:
            raise ParameterError(f"measurements must be a JSON object with format {FORMAT!r}")
        for key in ("elements", "filters", "runs"):
            if not isinstance(data.get(key, {}), dict):
                raise ParameterError(f"measurements: {key!r} must be an object")
        membrane = data.get("membrane", {})
        if not isinstance(membrane, dict) or set(membrane) - {"c"}:
            raise ParameterError("measurements: 'membrane' must be an object with at most the field 'c'")
        return cls(data.get("elements", {}), data.get("filters", {}), data.get("runs", {}), membrane.get("c"))

    def save(self, path: str | Path) -> None:
        from mtcsn_hw.atomic import write_json

        write_json(path, self.to_dict())

    @classmethod
    def load(cls, path: str | Path) -> Measurements:
        try:
            data = json.loads(Path(path).read_text())
        except FileNotFoundError:
            raise ParameterError(f"measurements file not found: {path}") from None
        except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise ParameterError(f"cannot read measurements {path}: {exc}") from None
        return cls.from_dict(data)


def _fields(what: str, raw, allowed: tuple) -> dict:
    if not isinstance(raw, dict):
        raise ParameterError(f"{what} must be an object")
    unknown = set(raw) - set(allowed)
    if unknown:
        raise ParameterError(f"{what}: unknown field(s) {sorted(unknown)}")
    return raw
