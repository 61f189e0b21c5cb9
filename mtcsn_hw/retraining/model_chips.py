"""Model-level Monte Carlo: a trained forecaster's test sMAPE on chips, each chip a Perturbation of its
MTCSN layer (from the circuit's own draws, circuit_chips.circuit_chip, or from training.mismatch.draw).
Fast (no circuit): the first measure of robustness, and the model side of the circuit-level comparison."""
from __future__ import annotations

import numpy as np

from mtcsn_hw.tasks import metrics as M
from mtcsn_hw.training.evaluate import predict


def chip_smapes(model, series, norm, protocol: str, horizon: int, chips) -> list[float]:
    """Test sMAPE of `model` on each chip (one Perturbation each); the layer is left without mismatch."""
    layer = model.hidden.layer
    out = []
    for chip in chips:
        layer.mismatch = chip
        try:
            pred = predict(model, series, norm, protocol, horizon)
        finally:
            layer.mismatch = None
        out.append(float(M.smape(pred["y_pred"], pred["y_true"])))
    return out


def spread_summary(values, nominal: float) -> dict:
    """median, p10, p90, worst over chips, and the nominal (no mismatch) value beside them."""
    v = np.asarray(values, float)
    return {"median": float(np.median(v)), "p10": float(np.percentile(v, 10)), "p90": float(np.percentile(v, 90)),
            "worst": float(v.max()), "nominal": float(nominal), "chips": int(v.size)}
