"""Spike events as upward threshold crossings, linearly interpolated between samples."""
from __future__ import annotations

import numpy as np
import torch


def crossing_times(v: torch.Tensor, dt: float, threshold: float = 0.0, t0: float = 0.0) -> torch.Tensor:
    """Times where a sampled trace v (T,) crosses `threshold` upwards; differentiable in v."""
    below = v[:-1] < threshold
    above = v[1:] >= threshold
    idx = torch.nonzero(below & above).reshape(-1)
    v0, v1 = v[idx], v[idx + 1]
    frac = (threshold - v0) / (v1 - v0)
    return t0 + (idx.to(v.dtype) + frac) * dt


def as_numpy(times) -> np.ndarray:
    if torch.is_tensor(times):
        return times.detach().cpu().numpy().astype(float)
    return np.asarray(times, dtype=float)
