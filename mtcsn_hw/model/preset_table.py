"""The three textbook regimes (Ribar & Sepulchre 2019 defaults) as plain parameter records, and their
stimulus protocols. Plain data on purpose: `params.py` builds `NeuronParams.preset(name)` from it, so
this module imports nothing from the model."""
from __future__ import annotations

from dataclasses import dataclass


def _element(name: str, alpha: float, delta: float, tau: float) -> dict:
    return {"name": name, "alpha": alpha, "delta": delta, "tau": tau}


# Neuron parameter JSON (DESIGN section 7), one record per preset.
PRESET_RECORDS = {
    "tonic": {"c": 1.0, "g": 1.0, "e_rev": 0.0, "i_app": -0.5,
              "elements": [_element("fast-", -2.0, 0.0, 0.0), _element("slow+", 2.0, 0.0, 50.0)]},
    "phasic": {"c": 1.0, "g": 1.0, "e_rev": 0.0, "i_app": -0.5,
               "elements": [_element("fast-", -2.0, 0.0, 0.0), _element("slow+", 2.0, 0.0, 50.0),
                            _element("ultraslow+", 3.0, -1.0, 500.0)]},
    "bursting": {"c": 1.0, "g": 1.0, "e_rev": 0.0, "i_app": -2.0,
                 "elements": [_element("fast-", -2.0, 0.0, 0.0), _element("slow+", 2.0, 0.0, 50.0),
                              _element("slow-", -1.5, -1.5, 50.0), _element("ultraslow+", 1.5, -1.5, 2500.0)]},
}

PRESET_NAMES = tuple(PRESET_RECORDS)


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


# Constant drive for tonic and bursting (t_on = 0), a step for phasic.
PROTOCOLS = {
    "tonic": Protocol(i_before=-0.5, i_after=-0.5, t_on=0.0, t_end=1000.0),
    "phasic": Protocol(i_before=-1.5, i_after=-0.5, t_on=1500.0, t_end=3500.0),
    "bursting": Protocol(i_before=-2.0, i_after=-2.0, t_on=0.0, t_end=10000.0),
}


def preset_record(name: str) -> dict:
    """A fresh copy of a preset's parameter record (KeyError for an unknown name)."""
    record = PRESET_RECORDS[name]
    return {**record, "elements": [dict(e) for e in record["elements"]]}
