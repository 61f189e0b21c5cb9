"""Spike-train agreement, model (reference) against circuit: Gamma, van Rossum, Victor-Purpura, rates,
ISI statistics and rhythm. Every distance states its parameter, all derived from the reference's median ISI."""
from __future__ import annotations

import numpy as np

from mtcsn_hw.model.regimes import classify, spike_features
from mtcsn_hw.model.rhythm import rhythm
from mtcsn_hw.model.spike_metrics import coincidence_factor, van_rossum_distance, victor_purpura_distance

GAMMA_WINDOW_FRACTION = 0.05   # Gamma window: 5 % of the reference's median ISI (DESIGN section 5)
VAN_ROSSUM_FRACTION = 0.25     # van Rossum tau: a quarter of the reference's median ISI
FALLBACK_ISI = 20.0            # model time units, when the reference has fewer than two spikes


def train_stats(spikes, t0: float, t1: float) -> dict:
    """Rate, ISI statistics and the steady bursts' rhythm (model.rhythm) of one train inside [t0, t1]."""
    s = np.asarray(spikes, float)
    s = s[(s >= t0) & (s <= t1)]
    f = spike_features(s, t0, t1)
    beat = rhythm(s, t1, t0)
    return {"n_spikes": int(s.size), "rate": float(s.size / (t1 - t0)),
            "median_isi": f.get("median_isi"), "mean_isi": f.get("mean_isi"), "cv_isi": f.get("cv_isi"),
            "spikes_per_burst": beat["spikes_per_burst"], "burst_period": beat["period"],
            "intra_burst_isi": beat["intra_burst_isi"], "regime": classify(s, t0, t1)}


def agreement(reference, other, t0: float, t1: float, min_window: float = 0.0) -> dict:
    ref = np.asarray(reference, float)
    oth = np.asarray(other, float)
    ref, oth = ref[(ref >= t0) & (ref <= t1)], oth[(oth >= t0) & (oth <= t1)]
    isi = float(np.median(np.diff(ref))) if ref.size > 1 else FALLBACK_ISI
    window = max(GAMMA_WINDOW_FRACTION * isi, min_window)
    tau = VAN_ROSSUM_FRACTION * isi
    return {"gamma": coincidence_factor(ref, oth, window, t1 - t0), "gamma_window": window,
            "van_rossum": van_rossum_distance(ref, oth, tau), "van_rossum_tau": tau,
            "victor_purpura": victor_purpura_distance(ref, oth, 1.0 / window), "victor_purpura_cost": 1.0 / window,
            "reference_median_isi": isi}


def compare_trains(model_spikes, circuit_spikes, t0: float, t1: float, min_window: float = 0.0) -> dict:
    return {"window": [float(t0), float(t1)], "model": train_stats(model_spikes, t0, t1),
            "circuit": train_stats(circuit_spikes, t0, t1),
            **agreement(model_spikes, circuit_spikes, t0, t1, min_window)}


def _median(values) -> float | None:
    vals = [float(v) for v in values if v is not None and np.isfinite(v)]
    return float(np.median(vals)) if vals else None


def compare_populations(model_trains, circuit_trains, t0: float, t1: float, min_window: float = 0.0) -> dict:
    """Per-neuron agreement and its median over the neurons that spike in the model. A model stepping at dt
    places spikes on its step grid: min_window (two steps) keeps Gamma from scoring that quantisation."""
    per = [compare_trains(m, c, t0, t1, min_window) for m, c in zip(model_trains, circuit_trains, strict=True)]
    active = [p for p in per if p["model"]["n_spikes"] > 1] or per
    keys = ("gamma", "gamma_window", "van_rossum", "van_rossum_tau", "victor_purpura", "victor_purpura_cost")
    summary = {k: _median(p[k] for p in active) for k in keys}
    for side in ("model", "circuit"):
        summary[side] = {k: _median(p[side][k] for p in active) for k in ("rate", "median_isi", "cv_isi")}
        summary[side]["total_spikes"] = int(sum(p[side]["n_spikes"] for p in per))
    summary.update({"window": [float(t0), float(t1)], "neurons": len(per), "min_gamma_window": float(min_window),
                    "active_neurons": len(active),
                    "gammas": [p["gamma"] for p in per]})
    return summary
