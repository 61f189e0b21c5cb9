"""Digital twin (calibration step 3a): one chip's NeuronParams fitted to its measurements.

First the DC fits: each element's alpha and delta from the model's own form (slope 1) fitted to its sweep,
each filter's tau from its measurement, the membrane's capacitance from its step response (the OTAs' devices
add 2.9 % to the capacitor at the transistor level), the constant output currents c folded into i_app (a
constant outward current is exactly a lower applied current), and the output conductances added to the leak
(the OTAs' outputs sit on the membrane). The slope factors s of the full fits have no place in
the model: they are reported, and the trajectory refinement (refine.py) absorbs what is left of them.
"""
from __future__ import annotations

from dataclasses import dataclass

from mtcsn_hw.calibration.chip_bench import rest_of
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
                                float(e.alpha), float(e.delta), meas.elements[e.name].held) for e in target.elements}


def measured_taus(target: NeuronParams, meas: Measurements) -> dict:
    tags = filter_of(target)
    missing = sorted({t for t in tags.values() if t and t not in meas.filters})
    if missing:
        raise ParameterError(f"measurements lack filter tau(s) {missing}")
    return {name: (meas.filters[tag] if tag else 0.0) for name, tag in tags.items()}


def twin_from_fits(target: NeuronParams, fits: dict, taus: dict, g_leak: float | None = None,
                   c: float | None = None) -> Twin:
    """g_leak: the chip's leak conductance (model units; default the target's g, the leak as mapped); c: the
    membrane's measured capacitance (model units; default the target's c, the capacitor as mapped)."""
    folded = sum(f.c_model for f in fits.values())
    elements = [Element(e.name, fits[e.name].alpha_model, fits[e.name].delta_model, taus[e.name])
                for e in target.elements]
    leak = float(target.g) if g_leak is None else float(g_leak)
    # an element that reads the membrane has its output's pull in its fitted form; one that reads a filter adds
    # its output conductance at rest to the leak. e_rev is where the leak pulls, the outputs pull toward V = 0
    rest = rest_of(target)
    pulls = sum(fits[e.name].model_conductance(rest) if float(e.tau) > 0 else fits[e.name].g_out_model
                for e in target.elements)
    g = max(leak + pulls, 0.0)
    e_rev = leak * float(target.e_rev) / g if g > 0 else float(target.e_rev)
    params = NeuronParams(elements=elements, c=float(target.c) if c is None else float(c), g=g, e_rev=e_rev,
                          i_app=float(target.i_app) - folded)
    return Twin(params, fits, folded)


def dc_twin(target: NeuronParams, meas: Measurements, g_leak: float | None = None, c: float | None = None) -> Twin:
    """The twin from the DC sweeps, the filter taus and the membrane's capacitance (g_leak: the chip's leak, model
    units; c: the membrane's capacitance, default the one measured in meas, else the target's)."""
    c = meas.membrane_c if c is None else c
    return twin_from_fits(target, fit_elements(target, meas), measured_taus(target, meas), g_leak, c)


