"""The circuit's calibration knobs, in SI: per element its OTA bias I_b (scales alpha), reference voltage
V_ref (shifts delta) and an optional trim current I_trim (a constant output current, cancels mirror
asymmetry); per filter its bias I_tau (tau proportional to 1 / I_tau); per neuron its leak resistance r_leak
(a programmable leak: it takes back the linear current the element OTAs' output conductance adds)."""
from __future__ import annotations

import math
from dataclasses import dataclass, field, replace

from mtcsn_hw.circuit.mapping import Units, filter_tags, map_neuron
from mtcsn_hw.errors import ParameterError
from mtcsn_hw.model.params import NeuronParams


@dataclass(frozen=True)
class ElementKnobs:
    i_b: float          # A
    v_ref: float        # V
    i_trim: float = 0.0  # A, outward membrane current added to the element's output


@dataclass(frozen=True)
class Knobs:
    elements: dict = field(default_factory=dict)   # name -> ElementKnobs
    filters: dict = field(default_factory=dict)    # filter tag -> I_tau (A)
    r_leak: float | None = None                    # ohm; None: the leak as mapped (or no leak, g = 0)

    def with_element(self, name: str, **changes) -> Knobs:
        elements = dict(self.elements)
        elements[name] = replace(elements[name], **changes)
        return replace(self, elements=elements, filters=dict(self.filters))

    def with_filter(self, tag: str, i_tau: float) -> Knobs:
        return replace(self, elements=dict(self.elements), filters={**self.filters, tag: float(i_tau)})

    def leak_g(self, target: NeuronParams, units: Units) -> float:
        """The leak conductance these knobs give, in model units."""
        return float(target.g) if self.r_leak is None else units.v0 / (self.r_leak * units.i0)

    def to_dict(self) -> dict:
        """The bias table (biases.json)."""
        out = {"elements": {k: {"i_b_A": e.i_b, "v_ref_V": e.v_ref, "i_trim_A": e.i_trim}
                            for k, e in self.elements.items()},
               "filters": {k: {"i_tau_A": v} for k, v in self.filters.items()}}
        if self.r_leak is not None:
            out["leak"] = {"r_ohm": self.r_leak}
        return out

    @classmethod
    def from_dict(cls, data) -> Knobs:
        """The knobs of a bias table (biases.json of one neuron); ParameterError (one line) on a defect."""
        if not isinstance(data, dict) or not isinstance(data.get("elements"), dict) \
                or not isinstance(data.get("filters", {}), dict):
            raise ParameterError("bias table: needs an 'elements' object (and a 'filters' object)")
        elements = {}
        for name, e in data["elements"].items():
            if not isinstance(e, dict):
                raise ParameterError(f"bias table: element {name!r} is not an object")
            elements[name] = ElementKnobs(_amount(e, "i_b_A", name), _amount(e, "v_ref_V", name),
                                          _amount(e, "i_trim_A", name, 0.0))
        filters = {tag: _amount(f if isinstance(f, dict) else {}, "i_tau_A", f"filter {tag}")
                   for tag, f in data.get("filters", {}).items()}
        leak = data.get("leak")
        if leak is None:
            return cls(elements, filters)
        r = _amount(leak if isinstance(leak, dict) else {}, "r_ohm", "leak")
        if r <= 0:
            raise ParameterError(f"bias table: leak r_ohm must be positive, got {r!r}")
        return cls(elements, filters, r)


def _amount(entry: dict, key: str, where: str, default: float | None = None) -> float:
    value = entry.get(key, default)
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise ParameterError(f"bias table: {where} {key} must be a finite number, got {value!r}")
    return float(value)


def nominal_knobs(target: NeuronParams, units: Units) -> Knobs:
    """The biases the mapping gives the target parameters (no trim)."""
    nm = map_neuron(target, units)
    return Knobs({e.name: ElementKnobs(e.bias, e.v_ref) for e in nm.elements}, {f.tag: f.bias for f in nm.filters},
                 None if math.isinf(nm.r_leak) else nm.r_leak)


def amps(units: Units, i_model: float) -> float:
    """A model-unit current in A (the inverse of Units.to_model_i)."""
    return i_model / units.to_model_i(1.0)


def filter_of(target: NeuronParams) -> dict:
    """Element name -> the tag of the filter it reads (None: the membrane)."""
    tags = filter_tags([e.tau for e in target.elements])
    return {e.name: (tags[float(e.tau)] if float(e.tau) > 0 else None) for e in target.elements}
