"""The forecasting network: input projection -> one hidden spiking layer -> linear readout -> low-pass.

    hidden = model.hidden          MTCSNLayer | LIFLayer | AdLIFLayer; input weights `hidden.w_in`
                                   (n_hidden x n_in) and bias `hidden.bias` (the MTCSN neuron's i_app)
    readout = model.readout        torch.nn.Linear(n_hidden, 1): y_raw = readout(hidden output)
    y[t] = a y[t-1] + (1 - a) y_raw[t],  a = exp(-1 / out_tau)   (out_tau = 0: no filter)
    residual: the network predicts the change, y[t] + x[t]     (for one-step prediction)
    input_lags: the hidden layer also reads x[t - l] for each lag l (a tapped delay line on the input;
                the taps before the first input read 0, the normalised mean)

The filter sits after the readout (a linear filter commutes with the linear readout), so the readout
reads the sparse hidden output directly and its effective synaptic operations stay sparse.
Inputs and outputs are in normalised units (see `Normaliser`).
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import torch
from torch import nn

from mtcsn_hw.baselines.adlif import AdLIFLayer
from mtcsn_hw.baselines.lif import LIFLayer
from mtcsn_hw.model.layer import MTCSNLayer
from mtcsn_hw.model.params import NeuronParams

MODELS = ("mtcsn", "lif", "adlif")


class MTCSNHidden(nn.Module):
    """`MTCSNLayer` behind the same interface as the baseline layers."""

    binary = False

    def __init__(self, n_in: int, n_hidden: int, seed: int, **kw):
        super().__init__()
        self.layer = MTCSNLayer(n_in, n_hidden, seed=seed, **kw)

    @property
    def w_in(self):
        return self.layer.w_in

    @property
    def lateral_fanout(self) -> int:
        """How many hidden neurons each hidden output also drives (the recurrent layer's lateral synapses)."""
        return 0 if self.layer.w_rec is None else self.layer.n_hidden

    @property
    def bias(self):
        return self.layer.bias

    def forward(self, x, state=None):
        s, st = self.layer(x, state)
        return s, st.events, st.v, st.last


def make_hidden(model: str, n_in: int, n_hidden: int, seed: int, layer: dict | None = None,
                out_tau: float = 0.0) -> nn.Module:
    """out_tau: the readout low-pass in input steps; an MTCSN layer with substeps weights its output by it."""
    gen = torch.Generator().manual_seed(seed)
    kw = dict(layer or {})
    if model == "lif":
        return LIFLayer(n_in, n_hidden, generator=gen, **kw)
    if model == "adlif":
        return AdLIFLayer(n_in, n_hidden, generator=gen, **kw)
    if model == "mtcsn":
        if isinstance(kw.get("template"), dict):  # a neuron written out in full (JSON config)
            kw["template"] = NeuronParams.from_dict(kw["template"])
        return MTCSNHidden(n_in, n_hidden, seed=seed, readout_tau=out_tau, **kw)
    raise ValueError(f"unknown model {model!r}; choose one of {', '.join(MODELS)}")


@dataclass
class Output:
    y: torch.Tensor        # (T, B, 1) filtered prediction (normalised units)
    hidden: torch.Tensor   # (T, B, H) what the readout reads
    events: torch.Tensor   # (T, B, H) spike events per step (counts)
    v: torch.Tensor        # (T, B, H) membrane voltages
    state: tuple           # (hidden state, filter state, delay-line taps) to continue the sequence
    inputs: torch.Tensor   # (T, B, n_in) what the hidden layer read: x and its delayed taps


class Forecaster(nn.Module):
    def __init__(self, hidden: nn.Module, n_hidden: int, out_tau: float = 0.0, residual: bool = False,
                 generator=None, input_lags: tuple[int, ...] = ()):
        super().__init__()
        self.residual = bool(residual)
        self.input_lags = tuple(int(lag) for lag in input_lags)
        self.hidden = hidden
        self.readout = nn.Linear(n_hidden, 1)
        bound = 1 / math.sqrt(n_hidden)
        with torch.no_grad():
            self.readout.weight.uniform_(-bound, bound, generator=generator)
            self.readout.bias.zero_()
        self.out_decay = math.exp(-1 / out_tau) if out_tau > 0 else 0.0

    @property
    def binary(self) -> bool:
        return self.hidden.binary

    def _with_lags(self, x: torch.Tensor, taps):
        """[x[t], x[t - l1], ...] along the last axis, and the last max(lags) inputs for the next call."""
        if not self.input_lags:
            return x, None
        depth = max(self.input_lags)
        taps = x.new_zeros((depth, *x.shape[1:])) if taps is None else taps
        line = torch.cat([taps, x])
        steps = x.shape[0]
        lagged = [line[depth - lag:depth - lag + steps] for lag in self.input_lags]
        return torch.cat([x, *lagged], dim=-1), line[-depth:]

    def forward(self, x: torch.Tensor, state=None) -> Output:
        h_state, y_prev, taps = (None, None, None) if state is None else state
        x_in, taps = self._with_lags(x, taps)
        h, events, v, h_state = self.hidden(x_in, h_state)
        raw = self.readout(h)
        a = self.out_decay
        if a == 0:
            y = raw
        else:
            ys = []
            y_prev = raw[0] if y_prev is None else y_prev
            for k in range(raw.shape[0]):
                y_prev = a * y_prev + (1 - a) * raw[k]
                ys.append(y_prev)
            y = torch.stack(ys)
        if self.residual:
            y = y + x[..., :1]
        y_filter = y[-1] - x[-1, :, :1] if self.residual else y[-1]
        return Output(y=y, hidden=h, events=events, v=v, state=(h_state, y_filter, taps),
                      inputs=x_in)
