"""Put a chip's twins into a trained MTCSN layer and freeze them: what the chip cannot reprogram (each element's
alpha, delta and tau as calibrated) stays fixed, what it can (input weights = current-source gains, the per-neuron
bias current, the readout) keeps training."""
from __future__ import annotations

import math

import torch

from mtcsn_hw.errors import ParameterError
from mtcsn_hw.model.layer import DELTA_RANGE, MTCSNLayer

FROZEN = ("log_abs_alpha", "delta_raw", "log_tau")


def _check(layer: MTCSNLayer, twins: list) -> None:
    if len(twins) != layer.n_hidden:
        raise ParameterError(f"{len(twins)} twins for a layer of {layer.n_hidden} neurons")
    lo, hi = DELTA_RANGE
    for k, p in enumerate(twins):
        if [e.name for e in p.elements] != layer.names:
            raise ParameterError(f"twin {k} has elements {[e.name for e in p.elements]}, the layer {layer.names}")
        for j, e in enumerate(p.elements):
            if math.copysign(1.0, e.alpha) != float(layer.alpha_sign[j]) or e.alpha == 0:
                raise ParameterError(f"twin {k}, element {e.name}: alpha {e.alpha:g} has the wrong sign")
            if (e.tau > 0) == bool(layer.instant[k, j]):
                raise ParameterError(f"twin {k}, element {e.name}: tau {e.tau:g} changes whether it is filtered")
            if not lo < e.delta < hi:
                raise ParameterError(f"twin {k}, element {e.name}: delta {e.delta:g} outside the layer's "
                                     f"range {DELTA_RANGE}")


@torch.no_grad()
def load_twins(layer: MTCSNLayer, twins: list) -> None:
    """The layer's neurons become the twins (NeuronParams, i_app -> the layer's bias); the element parameters
    are then frozen."""
    _check(layer, twins)
    lo, hi = DELTA_RANGE
    dtype = layer.log_abs_alpha.dtype
    alpha = torch.tensor([[e.alpha for e in p.elements] for p in twins], dtype=torch.float64)
    delta = torch.tensor([[e.delta for e in p.elements] for p in twins], dtype=torch.float64)
    tau = torch.tensor([[e.tau for e in p.elements] for p in twins], dtype=torch.float64)
    frac = (delta - lo) / (hi - lo)
    layer.log_abs_alpha.copy_(torch.log(alpha.abs()).to(dtype))
    layer.delta_raw.copy_((torch.log(frac) - torch.log1p(-frac)).to(dtype))
    layer.log_tau.copy_(torch.log(torch.where(tau > 0, tau, 1.0)).to(dtype))
    for key in ("c", "g", "e_rev"):
        getattr(layer, key).copy_(torch.tensor([float(getattr(p, key)) for p in twins], dtype=dtype))
    layer.bias.copy_(torch.tensor([float(p.i_app) for p in twins], dtype=dtype))
    for name in FROZEN:
        getattr(layer, name).requires_grad_(False)
