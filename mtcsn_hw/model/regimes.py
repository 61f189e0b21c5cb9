"""Firing-regime classifier from a spike train: silent, tonic, phasic, bursting or irregular.

Rules (times relative to the stimulus window [t_on, t_end]):
  silent     no spike after t_on;
  phasic     spikes after the onset, then silence for the second half of the window
             and for at least PHASIC_SILENCE times the mean ISI of the response;
  bursting   ISIs fall into short (intra-burst) and long (inter-burst) ones: long > BURST_RATIO x median,
             a gap in the ISI distribution (shortest long > BURST_GAP x longest short), regular short
             ISIs (CV < BURST_SHORT_CV: a Poisson train has none of this), >= 2 spikes a burst on average;
  tonic      ISIs regular: coefficient of variation < TONIC_CV (first ISI dropped as onset transient);
  irregular  anything else.
"""
from __future__ import annotations

import numpy as np

from mtcsn_hw.model.spikes import as_numpy

REGIMES = ("silent", "tonic", "phasic", "bursting", "irregular")
TONIC_CV = 0.15
BURST_RATIO = 3.0
BURST_GAP = 2.0
BURST_SHORT_CV = 0.5
PHASIC_SILENCE = 5.0


def spike_features(spike_times, t_on: float, t_end: float) -> dict:
    t = as_numpy(spike_times)
    t = t[(t >= t_on) & (t <= t_end)]
    isi = np.diff(t)
    feats = {"n_spikes": int(t.size), "rate": float(t.size / max(t_end - t_on, 1e-12))}
    if isi.size:
        feats["mean_isi"] = float(isi.mean())
        feats["median_isi"] = float(np.median(isi))
        steady = isi[1:] if isi.size > 2 else isi
        feats["cv_isi"] = float(steady.std() / steady.mean())
        long = isi > BURST_RATIO * np.median(isi)
        feats["n_long_isi"] = int(long.sum())
        if long.any() and (~long).any():
            short = isi[~long]
            feats["isi_gap"] = float(isi[long].min() / short.max())
            feats["cv_short_isi"] = float(short.std() / short.mean())
            feats["spikes_per_burst"] = float(t.size / (long.sum() + 1))
            starts = t[1:][long]
            if starts.size >= 2:
                feats["burst_period"] = float(np.median(np.diff(starts)))
    if t.size:
        feats["first_spike"] = float(t[0])
        feats["last_spike"] = float(t[-1])
    return feats


def classify(spike_times, t_on: float, t_end: float) -> str:
    f = spike_features(spike_times, t_on, t_end)
    n = f["n_spikes"]
    if n == 0:
        return "silent"
    window = t_end - t_on
    silence = t_end - f["last_spike"]
    typical = f.get("mean_isi", window)
    if silence > 0.5 * window and silence > PHASIC_SILENCE * typical:
        return "phasic"
    if n < 3:
        return "irregular"
    if (f.get("spikes_per_burst", 0) >= 2 and f["isi_gap"] > BURST_GAP
            and f["cv_short_isi"] < BURST_SHORT_CV):
        return "bursting"
    if f["cv_isi"] < TONIC_CV:
        return "tonic"
    return "irregular"
