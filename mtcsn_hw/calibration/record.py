"""Before/after comparison records for the calibrate command's JSON:
    {"before": {iv_rmse, gamma, gamma_window, rhythm}, "after": {...}, "iterations": n}
iv_rmse: the chip's I-V error (worst of fast and slow, fraction of full scale). gamma: coincidence factor of
the chip's driven spike train against the target model's under the same stimulus, window 5 % of the target's
median ISI (stated with it). rhythm: spikes per burst, intra-burst ISI and period of the autonomous run.
"""
from __future__ import annotations

import numpy as np
import torch

from mtcsn_hw.calibration.iv_error import iv_error
from mtcsn_hw.calibration.measurements import Measurements, Run, stimulus_current
from mtcsn_hw.calibration.twin import fit_elements
from mtcsn_hw.model.neuron import simulate_neuron
from mtcsn_hw.model.params import NeuronParams
from mtcsn_hw.model.regimes import BURST_RATIO, spike_features
from mtcsn_hw.model.spike_metrics import coincidence_factor

GAMMA_WINDOW_FRACTION = 0.05


def rhythm(spike_times, t_end: float, t_on: float = 0.0) -> dict:
    """Spikes per burst, median intra-burst ISI and median burst period (None where there is no burst)."""
    t = np.asarray(spike_times, float)
    feats = spike_features(t, t_on, t_end)
    isi = np.diff(t[(t >= t_on) & (t <= t_end)])
    short = isi[isi <= BURST_RATIO * np.median(isi)] if isi.size else isi
    return {"spikes_per_burst": feats.get("spikes_per_burst"),
            "intra_burst_isi": float(np.median(short)) if short.size and "spikes_per_burst" in feats else None,
            "period": feats.get("burst_period")}


def model_spikes(params: NeuronParams, stimulus: dict) -> np.ndarray:
    drive = torch.as_tensor(stimulus_current(stimulus, float(params.i_app)))
    return simulate_neuron(params, drive, dt=float(stimulus["dt"])).spikes.numpy()


def gamma(reference, other, duration: float) -> tuple[float, float]:
    """Coincidence factor with the window 5 % of the reference's median ISI; returns (gamma, window)."""
    ref = np.asarray(reference, float)
    if ref.size < 2:
        return coincidence_factor(ref, other, 1.0, duration), 1.0
    window = GAMMA_WINDOW_FRACTION * float(np.median(np.diff(ref)))
    return coincidence_factor(ref, other, window, duration), window


def comparison(target: NeuronParams, meas: Measurements, fits: dict | None = None) -> dict:
    fits = fits if fits is not None else fit_elements(target, meas)
    out = {"iv_rmse": iv_error(target, fits)["worst"], "gamma": None, "gamma_window": None, "rhythm": None}
    driven: Run | None = meas.runs.get("driven")
    if driven is not None:
        ref = model_spikes(target, driven.stimulus)
        out["gamma"], out["gamma_window"] = gamma(ref, driven.spike_times, driven.duration)
    autonomous: Run | None = meas.runs.get("autonomous")
    if autonomous is not None:
        out["rhythm"] = rhythm(autonomous.spike_times, autonomous.duration)
    return out


def before_after(target: NeuronParams, before: Measurements, after: Measurements, iterations: int) -> dict:
    return {"before": comparison(target, before), "after": comparison(target, after), "iterations": int(iterations)}
