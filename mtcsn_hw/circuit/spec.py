"""A network as plain data (no training objects, no SPICE): what the network bench is built from."""
from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from mtcsn_hw.errors import ParameterError


def finite_array(what: str, a) -> np.ndarray:
    arr = np.asarray(a, dtype=float)
    if not np.all(np.isfinite(arr)):
        raise ParameterError(f"{what} contains non-finite values")
    return arr


@dataclass
class Stimulus:
    """Applied current per neuron in model units: a constant (None: each neuron's own i_app) or a
    series sampled every dt model time units, shape (T,) shared or (T, N)."""

    series: np.ndarray | None = None
    dt: float = 1.0


@dataclass
class Readout:
    """y_j = lowpass(sum_k w[j, k] f(V_k) + b_j) (+ u_0 when residual) with f the graded output
    min(relu(V - v_th)/(v_sat - v_th), 1)."""

    weights: np.ndarray
    bias: np.ndarray | None = None
    v_th: float = 0.5
    v_sat: float = 2.0
    tau: float = 0.0         # output low-pass time constant in model units (0: none)
    residual: bool = False   # add the input u_0 (the model's y = filt(raw) + x)


@dataclass
class NetworkSpec:
    """A network as plain data: what the network bench needs."""

    neurons: list                       # NeuronParams per hidden neuron
    t_end: float                        # model time units
    stimulus: Stimulus = field(default_factory=Stimulus)
    input_weights: np.ndarray | None = None  # (N, n_in): i_k = W_in u + input_bias, u = stimulus.series (T, n_in)
    input_bias: np.ndarray | None = None
    readout: Readout | None = None
    v_init: list | None = None          # model units per neuron; filtered voltages start at filter_init
    filter_init: list | None = None     # per neuron: dict tag -> model voltage
    title: str = "MTCSN network"

    @property
    def shared_inputs(self) -> bool:
        """Inputs as voltages uin_j and a VCCS per weight (else one current source per neuron)."""
        return self.input_weights is not None and self.stimulus.series is not None


def _mixed_currents(spec: NetworkSpec, u: np.ndarray, n: int) -> np.ndarray:
    w = finite_array("input weights", spec.input_weights)
    u2 = u.reshape(len(u), -1)
    if w.shape != (n, u2.shape[1]):
        raise ParameterError(f"input weights must have shape ({n}, {u2.shape[1]}), got {w.shape}")
    cur = u2 @ w.T
    if spec.input_bias is not None:
        cur = cur + finite_array("input bias", spec.input_bias).reshape(1, n)
    return cur


def neuron_currents(spec: NetworkSpec) -> tuple[np.ndarray | None, np.ndarray]:
    """(times, currents (T, N)) in model units, or (None, constants (N,))."""
    n = len(spec.neurons)
    st = spec.stimulus
    if st.series is None:
        return None, np.array([float(p.i_app) for p in spec.neurons])
    u = finite_array("input series", st.series)
    if not (st.dt > 0 and math.isfinite(st.dt)):
        raise ParameterError(f"stimulus dt must be > 0, got {st.dt}")
    if spec.input_weights is not None:
        cur = _mixed_currents(spec, u, n)
    else:
        cur = u.reshape(len(u), 1) * np.ones((1, n)) if u.ndim == 1 else u
        if cur.shape[1] != n:
            raise ParameterError(f"stimulus must have {n} columns, got {cur.shape[1]}")
    return np.arange(len(cur)) * st.dt, cur
