"""The I-V report of one neuron as JSON-able data: each timescale's curve, shape and negative-slope regions.

The sweep is capped: every point becomes Python floats in the report (and JSON text with --json).
Measured on the 2-core development machine (2,000,000 points, --json, loaded machine): about 340 bytes
and 3-10 microseconds per point; 1e8 points would need ~34 GB. A curve needs hundreds to thousands of
points, so MAX_POINTS leaves three orders of magnitude of headroom and stays under a GB and a minute.
"""
from __future__ import annotations

import math

import numpy as np

from mtcsn_hw.errors import ParameterError
from mtcsn_hw.model.iv import TIMESCALES, iv_curves, negative_slope_regions, shape
from mtcsn_hw.model.params import NeuronParams

MAX_POINTS = 1_000_000
BYTES_PER_POINT = 340
SECONDS_PER_POINT = 5e-6


def sweep(v_min: float = -4.0, v_max: float = 4.0, points: int = 401) -> np.ndarray:
    """The voltages of an I-V sweep; ParameterError for a bad or oversized range."""
    if not (math.isfinite(v_min) and math.isfinite(v_max) and v_max > v_min and points >= 3):
        raise ParameterError("need finite --v-min < --v-max and --points >= 3")
    if points > MAX_POINTS:
        gb, minutes = points * BYTES_PER_POINT / 1e9, points * SECONDS_PER_POINT / 60
        raise ParameterError(f"--points {points} is over the limit of {MAX_POINTS}: it would need about "
                             f"{gb:.3g} GB of memory and {minutes:.2g} min; a curve needs a few thousand points")
    return np.linspace(v_min, v_max, points)


def iv_report(params: NeuronParams, source: str, v) -> dict:
    """Curves at voltages v, their shapes and negative-slope regions, as plain lists and floats."""
    v = np.asarray(v, dtype=float)
    curves = iv_curves(params, v)
    out = {"source": source, "v_rest": curves["v_rest"], "v": v.tolist(), "curves": {}}
    for name in TIMESCALES:
        i = curves[name].detach().numpy()
        out["curves"][name] = {"i": i.tolist(), "shape": shape(v, i),
                               "negative_slope": [list(r) for r in negative_slope_regions(v, i)]}
    return out
