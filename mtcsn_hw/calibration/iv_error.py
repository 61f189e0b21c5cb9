"""I-V error of a chip against its target: RMSE as a fraction of the target curve's full scale
(circuit.compare.iv_rmse, the same measure as model-vs-circuit comparisons) of the fast, slow and ultra-slow
curves; "worst" is the worst of the fast and slow ones (the calibration's reported iv_rmse), "all" the worst of
the three (what the re-tuning converges on: the ultra-slow curve sets the burst period).

The chip's curves are the twin's model curves (model.iv_curves) plus what the model cannot hold: each
element's fitted law (fit_element) minus the twin's alpha tanh(V_in - delta), its input V_in at V (elements
at or below the timescale) or at the target's rest (slower ones held), as iv_curves holds them, and its
output always at the membrane V (the output's pull). g_leak is the leak the chip's knobs set (default: the
target's g).
"""
from __future__ import annotations

import numpy as np
import torch

from mtcsn_hw.calibration.chip_bench import rest_of
from mtcsn_hw.calibration.fit_element import ElementFit
from mtcsn_hw.circuit.compare import iv_rmse
from mtcsn_hw.model.iv import iv_curves, timescale_taus
from mtcsn_hw.model.params import Element, NeuronParams

V_GRID = np.linspace(-4.0, 4.0, 161)
CURVES = ("fast", "slow", "ultraslow")
SPEC_CURVES = ("fast", "slow")


def chip_iv_curves(target: NeuronParams, fits: dict, v=V_GRID, g_leak: float | None = None) -> dict:
    v = np.asarray(v, float)
    g = float(target.g) if g_leak is None else float(g_leak)
    core = NeuronParams(elements=[Element(e.name, fits[e.name].a, fits[e.name].d, e.tau) for e in target.elements],
                        c=float(target.c), g=g, e_rev=float(target.e_rev), i_app=float(target.i_app))
    v_rest = rest_of(target)
    model = iv_curves(core, v, v_rest=v_rest)
    cut = timescale_taus(target)
    out = {}
    for name in CURVES:
        extra = np.zeros_like(v)
        for e in target.elements:
            f: ElementFit = fits[e.name]
            u = v if float(e.tau) <= cut[name] else np.full_like(v, v_rest)
            extra += f.current(u, v) - f.a * np.tanh(u - f.d)
        out[name] = _np(model[name]) + extra
    return out


def iv_error(target: NeuronParams, fits: dict, v=V_GRID, g_leak: float | None = None) -> dict:
    """{"fast", "slow", "ultraslow", "worst", "all"}: RMSE / full scale of the chip's curves against the
    target's; worst over the fast and slow curves, all over the three."""
    ref = iv_curves(target, v)
    chip = chip_iv_curves(target, fits, v, g_leak)
    errors = {name: iv_rmse(v, _np(ref[name]), chip[name]) for name in CURVES}
    errors["worst"] = max(errors[name] for name in SPEC_CURVES)
    errors["all"] = max(errors[name] for name in CURVES)
    return errors


def _np(x) -> np.ndarray:
    return x.detach().numpy() if torch.is_tensor(x) else np.asarray(x, float)
