"""Neuron parameters as plain records: validated, JSON round-trippable, tensor-friendly.

A neuron is  c dV/dt = i_app + i_syn - g (V - e_rev) - sum_x alpha_x tanh(V_x - delta_x),
with  tau_x dV_x/dt = V - V_x  (tau_x = 0: V_x is V itself). All values are in model units.
Numeric fields may be Python floats or torch tensors (so gradients can flow to them).
"""
from __future__ import annotations

import copy
import json
import math
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from mtcsn_hw.errors import ParameterError
from mtcsn_hw.model.preset_table import PRESET_NAMES, preset_record

# Names reach SPICE netlists as node and instance names: keep them to a safe alphabet.
NAME_PATTERN = re.compile(r"^[A-Za-z][A-Za-z0-9_+\-]{0,31}$")

Number = Any  # float or torch.Tensor


def _as_float_for_check(value: Number) -> list[float]:
    if hasattr(value, "detach"):
        return [float(v) for v in value.detach().reshape(-1).tolist()]
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ParameterError(f"expected a number, got {value!r}")
    return [float(value)]


def _check_finite(what: str, value: Number) -> None:
    for v in _as_float_for_check(value):
        if not math.isfinite(v):
            raise ParameterError(f"{what} must be finite, got {v}")


def check_name(name: Any) -> str:
    if not isinstance(name, str) or not name:
        raise ParameterError(f"element name must be a non-empty string, got {name!r}")
    if not NAME_PATTERN.match(name):
        raise ParameterError(
            f"element name {name!r} is not allowed: use a letter then letters, digits, '_', '+' or '-' (max 32)"
        )
    return name


@dataclass
class Element:
    """One tanh conductance: current alpha * tanh(V_x - delta), V_x filtered with time constant tau."""

    name: str
    alpha: Number
    delta: Number
    tau: Number

    def validate(self) -> Element:
        check_name(self.name)
        for key in ("alpha", "delta", "tau"):
            _check_finite(f"element {self.name!r}: {key}", getattr(self, key))
        if min(_as_float_for_check(self.tau)) < 0:
            raise ParameterError(f"element {self.name!r}: tau must be >= 0, got {self.tau}")
        return self

    def to_dict(self) -> dict:
        return {"name": self.name, "alpha": _plain(self.alpha), "delta": _plain(self.delta), "tau": _plain(self.tau)}


@dataclass
class NeuronParams:
    """Parameters of one MTCSN neuron (or, with tensor fields, a batch of them)."""

    elements: list[Element] = field(default_factory=list)
    c: Number = 1.0
    g: Number = 1.0
    e_rev: Number = 0.0
    i_app: Number = 0.0

    def __post_init__(self) -> None:
        self.elements = [e if isinstance(e, Element) else Element(**e) for e in self.elements]
        self.validate()

    # ---- validation -------------------------------------------------------------------------
    def validate(self) -> NeuronParams:
        for key in ("c", "g", "e_rev", "i_app"):
            _check_finite(key, getattr(self, key))
        if min(_as_float_for_check(self.c)) <= 0:
            raise ParameterError(f"c must be > 0, got {self.c}")
        if min(_as_float_for_check(self.g)) < 0:
            raise ParameterError(f"g must be >= 0, got {self.g}")
        seen = set()
        for element in self.elements:
            element.validate()
            if element.name in seen:
                raise ParameterError(f"duplicate element name {element.name!r}")
            seen.add(element.name)
        return self

    # ---- access -----------------------------------------------------------------------------
    def element(self, name: str) -> Element:
        for element in self.elements:
            if element.name == name:
                return element
        raise ParameterError(f"no element named {name!r}; have {[e.name for e in self.elements]}")

    def replace(self, **changes) -> NeuronParams:
        """A copy with top-level fields changed (elements are deep-copied)."""
        new = copy.copy(self)
        new.elements = [copy.copy(e) for e in self.elements]
        for key, value in changes.items():
            setattr(new, key, value)
        return new.validate()

    def with_element(self, name: str, **changes) -> NeuronParams:
        new = self.replace()
        element = new.element(name)
        for key, value in changes.items():
            setattr(element, key, value)
        return new.validate()

    # ---- serialisation ----------------------------------------------------------------------
    def to_dict(self) -> dict:
        return {
            "c": _plain(self.c),
            "g": _plain(self.g),
            "e_rev": _plain(self.e_rev),
            "i_app": _plain(self.i_app),
            "elements": [e.to_dict() for e in self.elements],
        }

    def to_json(self, indent: int | None = 2) -> str:
        return json.dumps(self.to_dict(), indent=indent)

    @classmethod
    def from_dict(cls, data: Any) -> NeuronParams:
        if not isinstance(data, dict):
            raise ParameterError("neuron parameters must be a JSON object")
        allowed = {"c", "g", "e_rev", "i_app", "elements"}
        unknown = set(data) - allowed
        if unknown:
            raise ParameterError(f"unknown neuron parameter field(s): {sorted(unknown)}")
        elements = data.get("elements", [])
        if not isinstance(elements, list):
            raise ParameterError("'elements' must be a list")
        parsed = []
        for i, raw in enumerate(elements):
            if not isinstance(raw, dict):
                raise ParameterError(f"element {i} must be an object")
            missing = {"name", "alpha", "delta", "tau"} - set(raw)
            extra = set(raw) - {"name", "alpha", "delta", "tau"}
            if missing or extra:
                raise ParameterError(
                    f"element {i}: " + (f"missing {sorted(missing)}" if missing else f"unknown {sorted(extra)}")
                )
            parsed.append(Element(**raw))
        scalars = {k: data[k] for k in ("c", "g", "e_rev", "i_app") if k in data}
        return cls(elements=parsed, **scalars)

    @classmethod
    def from_json(cls, text: str) -> NeuronParams:
        try:
            data = json.loads(text, parse_constant=_reject_constant)
        except json.JSONDecodeError as exc:
            raise ParameterError(f"malformed JSON: {exc.msg} at line {exc.lineno} column {exc.colno}") from None
        return cls.from_dict(data)

    @classmethod
    def load(cls, path: str | Path) -> NeuronParams:
        path = Path(path)
        try:
            text = path.read_text()
        except FileNotFoundError:
            raise ParameterError(f"parameter file not found: {path}") from None
        except (OSError, UnicodeDecodeError) as exc:
            raise ParameterError(f"cannot read parameter file {path}: {exc}") from None
        try:
            return cls.from_json(text)
        except ParameterError as exc:
            raise ParameterError(f"{path}: {exc}") from None

    def save(self, path: str | Path) -> None:
        from mtcsn_hw.atomic import write_text

        write_text(path, self.to_json() + "\n")

    @classmethod
    def preset(cls, name: str) -> NeuronParams:
        """One of the textbook presets: "tonic", "phasic" or "bursting"."""
        try:
            return cls.from_dict(preset_record(name))
        except (KeyError, TypeError):
            raise ParameterError(f"unknown preset {name!r}; choose one of {', '.join(PRESET_NAMES)}") from None


def _reject_constant(name: str):
    raise ParameterError(f"non-finite number {name} in JSON")


def _plain(value: Number):
    if hasattr(value, "detach"):
        value = value.detach()
        return float(value) if value.numel() == 1 else value.tolist()
    return float(value)
