"""The circuit's calibration knobs, in SI: per element its OTA bias I_b (scales alpha), reference voltage
V_ref (shifts delta) and an optional trim current I_trim (a constant output current, cancels mirror
asymmetry); per filter its bias I_tau (tau proportional to 1 / I_tau)."""
from __future__ import annotations

from dataclasses import dataclass, field, replace

from mtcsn_hw.circuit.mapping import Units, filter_tags, map_neuron
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

    def with_element(self, name: str, **changes) -> Knobs:
        elements = dict(self.elements)
        elements[name] = replace(elements[name], **changes)
        return Knobs(elements, dict(self.filters))

    def with_filter(self, tag: str, i_tau: float) -> Knobs:
        return Knobs(dict(self.elements), {**self.filters, tag: float(i_tau)})

    def to_dict(self) -> dict:
        """The bias table (biases.json)."""
        return {"elements": {k: {"i_b_A": e.i_b, "v_ref_V": e.v_ref, "i_trim_A": e.i_trim}
                             for k, e in self.elements.items()},
                "filters": {k: {"i_tau_A": v} for k, v in self.filters.items()}}


def nominal_knobs(target: NeuronParams, units: Units) -> Knobs:
    """The biases the mapping gives the target parameters (no trim)."""
    nm = map_neuron(target, units)
    return Knobs({e.name: ElementKnobs(e.bias, e.v_ref) for e in nm.elements}, {f.tag: f.bias for f in nm.filters})


def amps(units: Units, i_model: float) -> float:
    """A model-unit current in A (the inverse of Units.to_model_i)."""
    return i_model / units.to_model_i(1.0)


def filter_of(target: NeuronParams) -> dict:
    """Element name -> the tag of the filter it reads (None: the membrane)."""
    tags = filter_tags([e.tau for e in target.elements])
    return {e.name: (tags[float(e.tau)] if float(e.tau) > 0 else None) for e in target.elements}
