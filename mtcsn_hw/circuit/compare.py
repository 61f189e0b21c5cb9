"""Spike extraction from sampled circuit traces; circuit-vs-model agreement (the model's own metrics)."""
from __future__ import annotations

import numpy as np

from mtcsn_hw.model.regimes import classify  # noqa: F401  (the same classifier for model and circuit)
from mtcsn_hw.model.spike_metrics import coincidence_factor  # noqa: F401


def upward_crossings(t: np.ndarray, v: np.ndarray, threshold: float) -> np.ndarray:
    """Linearly interpolated times where v crosses threshold upwards (t may be non-uniform)."""
    t, v = np.asarray(t, float), np.asarray(v, float)
    idx = np.nonzero((v[:-1] < threshold) & (v[1:] >= threshold))[0]
    frac = (threshold - v[idx]) / (v[idx + 1] - v[idx])
    return t[idx] + frac * (t[idx + 1] - t[idx])


def iv_rmse(v_model, i_model, i_circuit) -> float:
    """RMS difference of two I-V curves on the same voltage grid, normalised to the model's full scale."""
    i_model, i_circuit = np.asarray(i_model, float), np.asarray(i_circuit, float)
    scale = float(i_model.max() - i_model.min()) or 1.0
    return float(np.sqrt(np.mean((i_model - i_circuit) ** 2)) / scale)
