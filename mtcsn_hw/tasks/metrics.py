"""Forecast accuracy and network activity metrics (NeuroBench definitions), as pure numpy functions.

Activity arrays are (T, ..., N): time first, neurons last. Synaptic operations per time step:
  dense      every connection, every step: n_in * n_hidden + n_hidden * n_out;
  effective  only connections whose presynaptic value is nonzero at that step;
an operation is an accumulate (AC) when the presynaptic value is a binary spike, a multiply-accumulate
(MAC) when it is graded (real-valued input, graded MTCSN output). NeuroBench reports effective ACs and
MACs side by side without weighting them (neurobench/metrics/workload/synaptic_operations.py returns
Effective_MACs, Effective_ACs, Dense). To put both on one axis, `synop_energy_pj` weighs them by the
energy of a 32-bit floating-point add (0.9 pJ) and multiply-add (0.9 + 3.7 = 4.6 pJ) in 45 nm CMOS
(M. Horowitz, "Computing's energy problem", ISSCC 2014), the usual convention for comparing SNNs and ANNs.
"""
from __future__ import annotations

import numpy as np

E_AC_PJ, E_MAC_PJ = 0.9, 4.6  # Horowitz, ISSCC 2014, 45 nm, 32-bit float: add; multiply + add


def smape(y_pred, y_true) -> float:
    """200 * mean(|y_pred - y_true| / (|y_pred| + |y_true|)); terms with 0/0 count as 0."""
    y_pred, y_true = np.asarray(y_pred, float), np.asarray(y_true, float)
    num = np.abs(y_pred - y_true)
    den = np.abs(y_pred) + np.abs(y_true)
    ratio = np.divide(num, den, out=np.zeros_like(num), where=den > 0)
    return float(200.0 * ratio.mean())


def nrmse(y_pred, y_true) -> float:
    """RMSE / std(y_true) (population std)."""
    y_pred, y_true = np.asarray(y_pred, float), np.asarray(y_true, float)
    return float(np.sqrt(np.mean((y_pred - y_true) ** 2)) / np.std(y_true))


def spike_rate(events) -> float:
    """Spike events per neuron per time step."""
    return float(np.mean(np.asarray(events, dtype=float)))


def nonzero_fraction(outputs) -> float:
    """Fraction of hidden outputs (neuron x step) that are not exactly zero."""
    return float(np.mean(np.asarray(outputs) != 0))


def synaptic_ops(inputs, hidden, n_out: int, hidden_binary: bool, inputs_binary: bool = False,
                 n_lateral: int = 0) -> dict:
    """Dense and effective synaptic operations per time step of input -> hidden -> readout.

    inputs (T, ..., n_in) feed the hidden layer (n_hidden units); hidden (T, ..., n_hidden) feed n_out
    readout units and, in a recurrent layer, n_lateral hidden units. Returns per-step means: dense,
    effective, and effective split into ACs and MACs.
    """
    inputs, hidden = np.asarray(inputs), np.asarray(hidden)
    n_in, n_hidden = inputs.shape[-1], hidden.shape[-1]
    steps = int(np.prod(hidden.shape[:-1]))
    in_binary = inputs_binary
    eff_in = np.count_nonzero(inputs) * n_hidden / steps
    eff_out = np.count_nonzero(hidden) * (n_out + n_lateral) / steps
    acs = (eff_in if in_binary else 0.0) + (eff_out if hidden_binary else 0.0)
    macs = (0.0 if in_binary else eff_in) + (0.0 if hidden_binary else eff_out)
    return {"dense": float(n_in * n_hidden + n_hidden * (n_out + n_lateral)), "effective": float(eff_in + eff_out),
            "effective_acs": float(acs), "effective_macs": float(macs)}


def synop_energy_pj(acs: float, macs: float) -> float:
    """Energy per step of effective synaptic operations: ACs and MACs weighted by E_AC_PJ and E_MAC_PJ."""
    return float(E_AC_PJ * acs + E_MAC_PJ * macs)
