"""LIF hidden layer: snnTorch's `Leaky` neuron (ATan surrogate, subtractive reset), per-neuron trained beta."""
from __future__ import annotations

import math

import snntorch
import torch
from snntorch import surrogate
from torch import nn

TAU_MEM_RANGE = (5.0, 25.0)  # steps, as the adLIF's tau_u, so both start from the same memory


class LIFLayer(nn.Module):
    """Input weights `w_in` (n_hidden x n_in) and `bias`, then snnTorch Leaky neurons (threshold 1 unless set).

    forward(x (T, B, n_in), state=None) -> (z, events, v, state) like the other hidden layers.
    """

    binary = True
    lateral_fanout = 0   # no recurrent synapses

    def __init__(self, n_in: int, n_hidden: int, input_scale: float = 1.0, threshold: float = 1.0, generator=None):
        super().__init__()
        bound = input_scale / math.sqrt(n_in)
        self.w_in = nn.Parameter(torch.empty(n_hidden, n_in).uniform_(-bound, bound, generator=generator))
        self.bias = nn.Parameter(torch.zeros(n_hidden))
        tau = torch.empty(n_hidden).uniform_(*TAU_MEM_RANGE, generator=generator)
        self.lif = snntorch.Leaky(beta=torch.exp(-1 / tau), learn_beta=True, threshold=float(threshold),
                                  spike_grad=surrogate.atan(), reset_mechanism="subtract")

    def forward(self, x: torch.Tensor, state=None):
        current = x @ self.w_in.T + self.bias
        mem = torch.zeros_like(current[0]) if state is None else state
        zs, vs = [], []
        for k in range(current.shape[0]):
            z, mem_next = self.lif(current[k], mem)
            vs.append(mem_next)  # snnTorch delays the reset to the next step: this is pre-reset
            zs.append(z)
            mem = mem_next
        z = torch.stack(zs)
        return z, z > 0, torch.stack(vs), mem
