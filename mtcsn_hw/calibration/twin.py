"""Digital twin (calibration step 3a): one chip's NeuronParams fitted to its measurements.

First the DC fits: each element's alpha and delta from the model's own form (slope 1) fitted to its sweep,
each filter's tau from its measurement, and the constant output currents c folded into i_app (a constant
outward current is exactly a lower applied current). The slope factors s of the full fits have no place in
the model: they are reported, and the trajectory refinement (refine.py) absorbs what is left of them.
"""
from __future__ import annotations

from dataclasses import dataclass

from mtcsn_hw.calibration.fit_element import fit_element
from mtcsn_hw.calibration.knobs import filter_of
from mtcsn_hw.calibration.measurements import Measurements
from mtcsn_hw.errors import ParameterError
from mtcsn_hw.model.params import Element, NeuronParams


@dataclass
class Twin:
    params: NeuronParams
    fits: dict            # element name -> ElementFit
    folded_i_app: float   # the sum of constant currents moved into i_app (twin i_app = nominal - this)

    def report(self) -> dict:
        return {"params": self.params.to_dict(), "folded_i_app": self.folded_i_app,
                "elements": {k: f.to_dict() for k, f in self.fits.items()}}


def fit_elements(target: NeuronParams, meas: Measurements) -> dict:
    missing = [e.name for e in target.elements if e.name not in meas.elements]
    if missing:
        raise ParameterError(f"measurements lack element sweep(s) {missing}")
    return {e.name: fit_element(e.name, meas.elements[e.name].v, meas.elements[e.name].current,
                                float(e.alpha), float(e.delta)) for e in target.elements}


def measured_taus(target: NeuronParams, meas: Measurements) -> dict:
    tags = filter_of(target)
    missing = sorted({t for t in tags.values() if t and t not in meas.filters})
    if missing:
        raise ParameterError(f"measurements lack filter tau(s) {missing}")
    return {name: (meas.filters[tag] if tag else 0.0) for name, tag in tags.items()}


def twin_from_fits(target: NeuronParams, fits: dict, taus: dict) -> Twin:
    folded = sum(f.c_model for f in fits.values())
    elements = [Element(e.name, fits[e.name].alpha_model, fits[e.name].delta_model, taus[e.name])
                for e in target.elements]
    params = NeuronParams(elements=elements, c=float(target.c), g=float(target.g), e_rev=float(target.e_rev),
                          i_app=float(target.i_app) - folded)
    return Twin(params, fits, folded)


def dc_twin(target: NeuronParams, meas: Measurements) -> Twin:
    """The twin from the DC sweeps and filter measurements alone."""
    return twin_from_fits(target, fit_elements(target, meas), measured_taus(target, meas))


