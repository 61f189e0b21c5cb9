"""The designer's trade of DESIGN section 4: device area (a mismatch sigma scale; area ~ 1 / scale^2) against
the trim range each element needs to reach the I-V tolerance, over a set of synthetic chips."""
from __future__ import annotations

import numpy as np

from mtcsn_hw.calibration.retune import RetuneSettings, retune
from mtcsn_hw.calibration.synthetic import ChipDraws, Spread, SyntheticChip
from mtcsn_hw.circuit.mapping import Units
from mtcsn_hw.model.params import NeuronParams


def trim_trade(target: NeuronParams, units: Units, scales=(0.5, 1.0, 2.0), seeds=range(20),
               spread: Spread | None = None, tol: float = 0.01) -> list[dict]:
    """Per sigma scale: I-V error after re-tuning without and with trim (median, 95th percentile, fraction
    within tol) and the trim current needed (95th percentile and max of |I_trim| over elements, in A and as a
    fraction of the element's bias)."""
    spread = spread or Spread()
    rows = []
    for scale in scales:
        plain, trimmed, trims, rel = [], [], [], []
        for seed in seeds:
            chip = SyntheticChip(target, ChipDraws.draw(target, spread.scaled(scale), seed), units)
            no_trim = RetuneSettings(tol=tol, trim=False)
            plain.append(retune(target, chip.measure, chip.nominal, units, no_trim).iv_error)
            result = retune(target, chip.measure, chip.nominal, units, RetuneSettings(tol=tol))
            trimmed.append(result.iv_error)
            for k in result.knobs.elements.values():
                trims.append(abs(k.i_trim))
                rel.append(abs(k.i_trim) / k.i_b)
        rows.append({"sigma_scale": scale, "relative_area": 1.0 / scale ** 2, "chips": len(plain),
                     "no_trim": _stats(plain, tol), "trim": _stats(trimmed, tol),
                     "trim_current_A": {"p95": float(np.percentile(trims, 95)), "max": float(np.max(trims))},
                     "trim_fraction_of_bias": {"p95": float(np.percentile(rel, 95)), "max": float(np.max(rel))}})
    return rows


def _stats(errors: list, tol: float) -> dict:
    e = np.asarray(errors)
    return {"median": float(np.median(e)), "p95": float(np.percentile(e, 95)), "within_tol": float(np.mean(e <= tol))}
