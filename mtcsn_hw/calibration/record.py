"""Before/after comparison records for the calibrate command's JSON:
    {"before": {iv_rmse, gamma, gamma_window, rhythm}, "after": {...}, "iterations": n}
iv_rmse: the chip's I-V error (worst of fast and slow, fraction of full scale). gamma: coincidence factor of
the chip's driven spike train against the target model's under the same stimulus, window 5 % of the target's
median ISI (stated with it), the protocol's first period left out (driven_washout). rhythm: spikes per burst,
intra-burst ISI and period of the autonomous run's steady bursts.
"""
from __future__ import annotations

import numpy as np
import torch

from mtcsn_hw.calibration.iv_error import iv_error
from mtcsn_hw.calibration.measure_spikes import MIN_PERIODS
from mtcsn_hw.calibration.measurements import Measurements, Run, stimulus_current
from mtcsn_hw.calibration.twin import fit_elements
from mtcsn_hw.model.neuron import simulate_neuron
from mtcsn_hw.model.params import NeuronParams
from mtcsn_hw.model.rhythm import rhythm
from mtcsn_hw.model.spike_metrics import coincidence_factor

GAMMA_WINDOW_FRACTION = 0.05


def model_spikes(params: NeuronParams, stimulus: dict) -> np.ndarray:
    drive = torch.as_tensor(stimulus_current(stimulus, float(params.i_app)))
    return simulate_neuron(params, drive, dt=float(stimulus["dt"])).spikes.numpy()


def gamma(reference, other, duration: float, washout: float = 0.0) -> tuple[float, float]:
    """Coincidence factor over (washout, duration] with the window 5 % of the reference's median ISI there;
    returns (gamma, window). The washout leaves out the start-up, where each train still depends on the state
    it started from rather than on the input."""
    ref, oth = np.asarray(reference, float), np.asarray(other, float)
    ref, oth, span = ref[ref > washout] - washout, oth[oth > washout] - washout, duration - washout
    if ref.size < 2:
        return coincidence_factor(ref, oth, 1.0, span), 1.0
    window = GAMMA_WINDOW_FRACTION * float(np.median(np.diff(ref)))
    return coincidence_factor(ref, oth, window, span), window


def driven_washout(driven: Run) -> float:
    """The driven protocol's first period (of its >= MIN_PERIODS) is left out of Gamma: there the trains still
    follow where the circuit and the model started, not the input."""
    return driven.duration / MIN_PERIODS


def comparison(target: NeuronParams, meas: Measurements, fits: dict | None = None) -> dict:
    fits = fits if fits is not None else fit_elements(target, meas)
    out = {"iv_rmse": iv_error(target, fits)["worst"], "gamma": None, "gamma_window": None, "rhythm": None}
    driven: Run | None = meas.runs.get("driven")
    if driven is not None:
        ref = model_spikes(target, driven.stimulus)
        out["gamma"], out["gamma_window"] = gamma(ref, driven.spike_times, driven.duration, driven_washout(driven))
    autonomous: Run | None = meas.runs.get("autonomous")
    if autonomous is not None:
        out["rhythm"] = rhythm(autonomous.spike_times, autonomous.duration)
    return out


def before_after(target: NeuronParams, before: Measurements, after: Measurements, iterations: int) -> dict:
    return {"before": comparison(target, before), "after": comparison(target, after), "iterations": int(iterations)}
