"""The graded, sparse output of a neuron to the next layer (the paper's "semi-digital" form).

s = min(ReLU(V - v_th) / (v_sat - v_th), 1): exactly zero below v_th, linear up to v_sat, then 1.
In a circuit this is a clipped transconductor / current-limited rectifier; its measured transfer is
what calibration fits.
"""
from __future__ import annotations

import torch


def graded_output(v: torch.Tensor, v_th: float = 0.5, v_sat: float = 2.0) -> torch.Tensor:
    if not v_sat > v_th:
        raise ValueError(f"v_sat ({v_sat}) must exceed v_th ({v_th})")
    return torch.clamp(torch.relu(v - v_th) / (v_sat - v_th), max=1.0)
