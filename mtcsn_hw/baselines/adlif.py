"""SE-adLIF (Baronig et al. 2024, arXiv:2408.07517): adaptive LIF with a symplectic-Euler step.

Per step, with input current I (all quantities per neuron, time in steps):
    u <- a_u u + (1 - a_u)(I - w)                  a_u = exp(-1 / tau_u), tau_u in [5, 25]
    z  = H(u - theta)                              SLAYER surrogate (alpha = 5, c = 0.4)
    u <- u (1 - z)                                 reset (no gradient through the reset)
    w <- a_w w + (1 - a_w) q (a u + b z)           a_w = exp(-1 / tau_w), tau_w in [60, 300]
The adaptation update reads the *new* u and z (symplectic Euler); a in [0, 1], b in [0, 2], q = 60 as
in the reference implementation. Time constants and a, b are trained and clamped to their ranges.
"""
from __future__ import annotations

import math

import torch
from torch import nn

from mtcsn_hw.baselines.surrogates import slayer_spike

TAU_U_RANGE, TAU_W_RANGE, A_RANGE, B_RANGE = (5.0, 25.0), (60.0, 300.0), (0.0, 1.0), (0.0, 2.0)


def adlif_step(u, w, current, decay_u, decay_w, a, b, q: float = 60.0, theta: float = 1.0,
               alpha: float = 5.0, c: float = 0.4):
    """One SE-adLIF step. Returns (u, w, z)."""
    u = decay_u * u + (1 - decay_u) * (current - w)
    z = slayer_spike(u - theta, alpha, c)
    u = u * (1 - z.detach())
    w = decay_w * w + (1 - decay_w) * q * (a * u + b * z)
    return u, w, z


class AdLIFLayer(nn.Module):
    """Input weights `w_in` (n_hidden x n_in) and `bias`, then a layer of SE-adLIF neurons.

    forward(x (T, B, n_in), state=None) -> (z, events, v, state): binary spikes z, events = z > 0,
    the membrane u before reset as v, and the final (u, w) to continue from.
    """

    binary = True
    lateral_fanout = 0   # no recurrent synapses

    def __init__(self, n_in: int, n_hidden: int, theta: float = 1.0, q: float = 60.0, input_scale: float = 1.0,
                 generator=None):
        super().__init__()
        bound = input_scale / math.sqrt(n_in)
        self.w_in = nn.Parameter(torch.empty(n_hidden, n_in).uniform_(-bound, bound, generator=generator))
        self.bias = nn.Parameter(torch.zeros(n_hidden))
        self.tau_u = nn.Parameter(torch.empty(n_hidden).uniform_(*TAU_U_RANGE, generator=generator))
        self.tau_w = nn.Parameter(torch.empty(n_hidden).uniform_(*TAU_W_RANGE, generator=generator))
        self.a = nn.Parameter(torch.empty(n_hidden).uniform_(*A_RANGE, generator=generator))
        self.b = nn.Parameter(torch.empty(n_hidden).uniform_(*B_RANGE, generator=generator))
        self.theta, self.q = theta, q

    def forward(self, x: torch.Tensor, state=None):
        current = x @ self.w_in.T + self.bias
        decay_u = torch.exp(-1 / self.tau_u.clamp(*TAU_U_RANGE))
        decay_w = torch.exp(-1 / self.tau_w.clamp(*TAU_W_RANGE))
        a, b = self.a.clamp(*A_RANGE), self.b.clamp(*B_RANGE)
        if state is None:
            u = w = torch.zeros_like(current[0])
        else:
            u, w = state
        zs, vs = [], []
        for k in range(current.shape[0]):
            u_pre = decay_u * u + (1 - decay_u) * (current[k] - w)
            u, w, z = adlif_step(u, w, current[k], decay_u, decay_w, a, b, self.q, self.theta)
            zs.append(z)
            vs.append(u_pre)
        z = torch.stack(zs)
        return z, z > 0, torch.stack(vs), (u, w)
