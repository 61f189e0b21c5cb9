"""A mismatch spec as the model's per-neuron spreads (training.mismatch.Spreads), in model units.

The circuit layer turns device statistics into the behavioural knobs' sigmas (mismatch_check.pelgrom_sigmas,
the first-order form of mismatch_behavioural's equivalents, docs/mismatch.md section 3):
  OTA input offset sigma (V), OTA gain sigma (relative), follower transconductance sigma (relative),
and the spec gives the capacitors' relative sigma. Units (circuit/mapping.py) converts the offset to V0:
  delta = sigma(voff) / V0;  alpha = sigma(OTA gain);  tau = hypot(sigma(follower gain), sigma(C));  c = sigma(C).
"""
from __future__ import annotations

import math

from mtcsn_hw.circuit.families.sky130 import FILTER_WIDENING
from mtcsn_hw.circuit.mapping import Units
from mtcsn_hw.circuit.mismatch import CAPACITOR, MismatchSpec
from mtcsn_hw.circuit.mismatch_check import pelgrom_sigmas
from mtcsn_hw.training.mismatch import Spreads


def model_spreads(spec: MismatchSpec, units: Units) -> Spreads:
    """The per-chip spreads of every neuron's alpha, delta, tau and c that `spec` (with its scale) implies."""
    s = pelgrom_sigmas(spec, wide=FILTER_WIDENING)
    cap = spec.sigma_rel(CAPACITOR)
    return Spreads(alpha=float(s["ota_gain"]), delta=float(units.to_model_dv(s["ota_voff"])),
                   tau=math.hypot(s["fi_gain"], cap), c=cap)
