"""The calibration's targets, judged per neuron against the trained model (calibration/tolerances.json states
the same limits for users and other tools; a test holds the two equal):

  iv_ok                   iv_rmse (worst of the fast and slow curves) <= IV_RMSE_MAX of full scale
  gamma_ok                driven Gamma against the model >= GAMMA_MIN_DRIVEN
  spikes_per_burst_equal  the steady bursts carry the model's number of spikes
  intra_burst_isi_ok, period_ok   within RHYTHM_REL_MAX of the model's
A verdict is None where it cannot be judged (the model neuron does not burst); a chip neuron without the
model's rhythm fails it.
"""
from __future__ import annotations

IV_RMSE_MAX = 0.01
GAMMA_MIN_DRIVEN = 0.8
GAMMA_MIN_TWIN = 0.9
RHYTHM_REL_MAX = 0.03
YIELD_MIN = 0.95        # the fraction of chips that must meet a target after calibration
TARGETS = ("iv_ok", "gamma_ok", "spikes_per_burst_equal", "intra_burst_isi_ok", "period_ok")
LIMITS = {"iv_ok": f"fast and slow I-V RMSE <= {IV_RMSE_MAX:.0%} of full scale",
          "gamma_ok": f"driven Gamma >= {GAMMA_MIN_DRIVEN}",
          "spikes_per_burst_equal": "spikes per steady burst = the model's",
          "intra_burst_isi_ok": f"intra-burst ISI within {RHYTHM_REL_MAX:.0%}",
          "period_ok": f"burst period within {RHYTHM_REL_MAX:.0%}",
          "twin_gamma_ok": f"twin Gamma >= {GAMMA_MIN_TWIN} (the chip as made)",
          "calibrated_twin_gamma_ok": f"twin Gamma >= {GAMMA_MIN_TWIN} (calibrated chip)"}


def _within(measured, model) -> bool | None:
    if model is None:
        return None
    return measured is not None and bool(abs(measured / model - 1.0) <= RHYTHM_REL_MAX)


def verdicts(iv_rmse: float, gamma: float | None, rhythm: dict, model_rhythm: dict) -> dict:
    spb, model_spb = rhythm["spikes_per_burst"], model_rhythm["spikes_per_burst"]
    return {"iv_ok": bool(iv_rmse <= IV_RMSE_MAX),
            "gamma_ok": None if gamma is None else bool(gamma >= GAMMA_MIN_DRIVEN),
            "spikes_per_burst_equal": None if model_spb is None else spb == model_spb,
            "intra_burst_isi_ok": _within(rhythm["intra_burst_isi"], model_rhythm["intra_burst_isi"]),
            "period_ok": _within(rhythm["period"], model_rhythm["period"])}


def all_of(values) -> bool | None:
    """A chip's verdict over its neurons: every judged neuron passes (None when none was judged)."""
    judged = [v for v in values if v is not None]
    return all(judged) if judged else None
