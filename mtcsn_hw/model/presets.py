"""The three textbook regimes (Ribar & Sepulchre 2019 defaults) and their stimulus protocols."""
from __future__ import annotations

from dataclasses import dataclass

from mtcsn_hw.errors import ParameterError
from mtcsn_hw.model.params import Element, NeuronParams


def _bursting() -> NeuronParams:
    return NeuronParams(
        c=1.0, g=1.0, e_rev=0.0, i_app=-2.0,
        elements=[
            Element("fast-", -2.0, 0.0, 0.0),
            Element("slow+", 2.0, 0.0, 50.0),
            Element("slow-", -1.5, -1.5, 50.0),
            Element("ultraslow+", 1.5, -1.5, 2500.0),
        ],
    )


def _tonic() -> NeuronParams:
    return NeuronParams(
        c=1.0, g=1.0, e_rev=0.0, i_app=-0.5,
        elements=[Element("fast-", -2.0, 0.0, 0.0), Element("slow+", 2.0, 0.0, 50.0)],
    )


def _phasic() -> NeuronParams:
    return NeuronParams(
        c=1.0, g=1.0, e_rev=0.0, i_app=-0.5,
        elements=[
            Element("fast-", -2.0, 0.0, 0.0),
            Element("slow+", 2.0, 0.0, 50.0),
            Element("ultraslow+", 3.0, -1.0, 500.0),
        ],
    )


@dataclass(frozen=True)
class Protocol:
    """Stimulus: i_before until t_on, then i_after until t_end (model time units)."""

    i_before: float
    i_after: float
    t_on: float
    t_end: float

    def current(self, t):
        """Applied current at times t (numpy or torch array)."""
        return self.i_before + (self.i_after - self.i_before) * (t >= self.t_on)


_PRESETS = {"tonic": _tonic, "phasic": _phasic, "bursting": _bursting}

# Constant drive for tonic and bursting (t_on = 0), a step for phasic.
PROTOCOLS = {
    "tonic": Protocol(i_before=-0.5, i_after=-0.5, t_on=0.0, t_end=1000.0),
    "phasic": Protocol(i_before=-1.5, i_after=-0.5, t_on=1500.0, t_end=3500.0),
    "bursting": Protocol(i_before=-2.0, i_after=-2.0, t_on=0.0, t_end=10000.0),
}

PRESET_NAMES = tuple(_PRESETS)


def preset(name: str) -> NeuronParams:
    try:
        return _PRESETS[name]()
    except KeyError:
        raise ParameterError(f"unknown preset {name!r}; choose one of {', '.join(_PRESETS)}") from None


def protocol(name: str) -> Protocol:
    preset(name)  # same error for an unknown name
    return PROTOCOLS[name]
