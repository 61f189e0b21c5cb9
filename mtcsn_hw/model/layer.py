"""`MTCSNLayer`: a layer of MTCSN neurons with trainable per-neuron conductances.

Constraints by parametrisation, so Adam can never break them:
  alpha = sign * exp(log_abs_alpha)         the sign of every element is fixed by the template
  tau   = exp(log_tau)                      > 0 for filtered elements; tau = 0 elements stay instantaneous
  delta = lo + (hi - lo) * sigmoid(raw)     inside DELTA_RANGE
Input x (T, B, n_in) drives each neuron with i = W x + b (b is the neuron's i_app); each input step is
held for `substeps` steps of dt. Output s: the graded output f(V) of each input step, as the readout's
low-pass (time constant `readout_tau` input steps; the circuit's RC) sees it when read at the end of the
step: the average of f(V) over the step's substeps, weighted (1 - a_f) a_f^(S-1-j) / (1 - a_f^S) with
a_f = exp(-1 / (S readout_tau)). Then y <- a y + (1 - a) W s, a = a_f^S, is the fine-step filter sampled
at the end of every input step: as S grows, the RC of the continuous-time circuit. With one substep (or
no filter) s is f(V) at the end of the step.
`recurrent=True` adds lateral synapses: neuron k also receives sum_j w_rec[k, j] f(V_j), the outputs at
the start of each fine step (trained from zero; the layer then steps one fine step at a time).
`mismatch` (None by default) perturbs the parameters a forward pass uses, as device mismatch would: an
object with `.chips` and `.apply(StackedParams) -> StackedParams` for chips * n_hidden neurons (chip-major).
One chip is shared by the whole batch; chips == batch gives every sequence its own chip, folded into
the neuron axis so the trajectory costs the same.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import torch
from torch import nn

from mtcsn_hw.model.adjoint import run_trajectory
from mtcsn_hw.model.neuron import StackedParams, resting_state, step_coefficients
from mtcsn_hw.model.output import graded_output
from mtcsn_hw.model.params import Element, NeuronParams
from mtcsn_hw.model.presets import preset

DELTA_RANGE = (-2.5, 2.5)


@dataclass
class LayerState:
    v: torch.Tensor        # (T, B, H) membrane voltage at the end of each input step
    events: torch.Tensor   # (T, B, H) upward crossings of v_th during each input step (all substeps)
    last: tuple            # (v, vx) after the last step, to continue a sequence


def within_step_weights(substeps: int, readout_tau: float) -> torch.Tensor:
    """(S,) weights of the substeps' outputs in what a low-pass of readout_tau input steps reads at the end."""
    if substeps == 1 or readout_tau <= 0:
        return torch.nn.functional.one_hot(torch.tensor(substeps - 1), substeps).double()
    a_f = math.exp(-1.0 / (substeps * readout_tau))
    w = (1 - a_f) * a_f ** torch.arange(substeps - 1, -1, -1, dtype=torch.float64)
    return w / w.sum()


def _logit(p: torch.Tensor) -> torch.Tensor:
    return torch.log(p) - torch.log1p(-p)


class MTCSNLayer(nn.Module):
    def __init__(self, n_in: int, n_hidden: int, template: str | NeuronParams = "bursting", dt: float = 1.0,
                 substeps: int = 1, v_th: float = 0.5, v_sat: float = 2.0, input_scale: float = 1.0,
                 jitter: float = 0.1, seed: int | None = None, dtype=torch.float32, readout_tau: float = 0.0,
                 recurrent: bool = False):
        super().__init__()
        tpl = preset(template) if isinstance(template, str) else template
        gen = torch.Generator().manual_seed(0 if seed is None else seed)
        self.n_in, self.n_hidden = n_in, n_hidden
        self.dt, self.substeps, self.v_th, self.v_sat = float(dt), int(substeps), float(v_th), float(v_sat)
        self.names = [e.name for e in tpl.elements]
        self.register_buffer("step_weights", within_step_weights(self.substeps, float(readout_tau)).to(dtype),
                             persistent=False)
        E = len(self.names)

        def jittered(values):
            base = torch.tensor(values, dtype=torch.float64).expand(n_hidden, len(values))
            return base * (1 + jitter * (torch.rand(n_hidden, len(values), generator=gen, dtype=torch.float64) - 0.5))

        alpha = torch.tensor([float(e.alpha) for e in tpl.elements], dtype=torch.float64)
        delta = torch.tensor([float(e.delta) for e in tpl.elements], dtype=torch.float64)
        tau = torch.tensor([float(e.tau) for e in tpl.elements], dtype=torch.float64)
        if (alpha == 0).any():
            raise ValueError("template elements need nonzero alpha (its sign is what the layer keeps)")
        self.register_buffer("alpha_sign", torch.sign(alpha).to(dtype))
        self.register_buffer("instant", (tau <= 0).expand(n_hidden, E).clone())
        self.log_abs_alpha = nn.Parameter(torch.log(jittered(alpha.abs().tolist())).to(dtype))
        lo, hi = DELTA_RANGE
        d0 = delta.expand(n_hidden, E) + jitter * (torch.rand(n_hidden, E, generator=gen, dtype=torch.float64) - 0.5)
        self.delta_raw = nn.Parameter(_logit(((d0 - lo) / (hi - lo)).clamp(1e-3, 1 - 1e-3)).to(dtype))
        self.log_tau = nn.Parameter(torch.log(jittered(torch.where(tau > 0, tau, 1.0).tolist())).to(dtype))
        for key in ("c", "g", "e_rev"):
            self.register_buffer(key, torch.full((n_hidden,), float(getattr(tpl, key)), dtype=dtype))
        w = torch.randn(n_hidden, n_in, generator=gen, dtype=torch.float64) * input_scale / max(n_in, 1) ** 0.5
        self.w_in = nn.Parameter(w.to(dtype))
        self.bias = nn.Parameter(torch.full((n_hidden,), float(tpl.i_app), dtype=dtype))
        # lateral synapses: neuron k receives sum_j w_rec[k, j] f(V_j), from zero (the feedforward layer)
        self.w_rec = nn.Parameter(torch.zeros(n_hidden, n_hidden, dtype=dtype)) if recurrent else None
        self.mismatch = None

    # ---- constrained parameters ------------------------------------------------------------
    @property
    def alpha(self) -> torch.Tensor:
        return self.alpha_sign * torch.exp(self.log_abs_alpha)

    @property
    def delta(self) -> torch.Tensor:
        lo, hi = DELTA_RANGE
        return lo + (hi - lo) * torch.sigmoid(self.delta_raw)

    @property
    def tau(self) -> torch.Tensor:
        return torch.where(self.instant, torch.zeros_like(self.log_tau), torch.exp(self.log_tau))

    def stacked(self) -> StackedParams:
        return StackedParams(self.names, self.c, self.g, self.e_rev, self.bias, self.alpha, self.delta, self.tau)

    def neuron_params(self) -> list[NeuronParams]:
        """One plain NeuronParams per hidden neuron (i_app = its bias), e.g. for circuit export."""
        a, d, t = self.alpha.detach().double(), self.delta.detach().double(), self.tau.detach().double()
        out = []
        for i in range(self.n_hidden):
            elements = [Element(n, float(a[i, j]), float(d[i, j]), float(t[i, j])) for j, n in enumerate(self.names)]
            out.append(NeuronParams(elements=elements, c=float(self.c[i]), g=float(self.g[i]),
                                    e_rev=float(self.e_rev[i]), i_app=float(self.bias[i].detach())))
        return out

    # ---- dynamics ---------------------------------------------------------------------------
    def initial_state(self, batch: int, p: StackedParams | None = None) -> tuple:
        """Rest of every neuron, (batch, H) and (batch, H, E); p with batch * H neurons gives each
        sequence its own (mismatched) chip."""
        p = (self.stacked() if p is None else p).to(torch.float64)
        v = resting_state(p, p.i_app).to(self.bias.dtype)      # differentiable (implicit function)
        v = v.reshape(batch, self.n_hidden) if p.n == batch * self.n_hidden else v.expand(batch, self.n_hidden)
        v = v.clone()
        return v, v.unsqueeze(-1).expand(batch, self.n_hidden, len(self.names)).clone()

    def _forward_params(self, batch: int) -> tuple[StackedParams, bool]:
        """The parameters of this pass (mismatched when `mismatch` is set) and whether chips are folded."""
        p = self.stacked()
        if self.mismatch is None or self.mismatch.chips == 1:
            return (p if self.mismatch is None else self.mismatch.apply(p)), False
        if self.mismatch.chips != batch:
            raise ValueError(f"mismatch has {self.mismatch.chips} chips for a batch of {batch}: use 1 or {batch}")
        return self.mismatch.apply(p), True

    def _run_recurrent(self, v, vx, per_step, p, phi, a, instant):
        """run_trajectory one fine step at a time, each step's drive plus the lateral currents of the outputs
        at its start (the circuit's currents, sampled every dt). Returns V (T*substeps, ...) and the last X."""
        vs = []
        lead = v.shape[:-1]
        for k in range(per_step.shape[0]):
            s = graded_output(v.reshape(*lead, -1, self.n_hidden), self.v_th, self.v_sat)
            drive = per_step[k] + (s @ self.w_rec.T).reshape(per_step[k].shape)
            v_k, x_k = run_trajectory(v, vx, drive.unsqueeze(0), p, phi, a, instant)
            v, vx = v_k[0], x_k[0]
            vs.append(v)
        return torch.stack(vs), vx

    def forward(self, x: torch.Tensor, state: tuple | None = None):
        T, B, _ = x.shape
        H, E = self.n_hidden, len(self.names)
        p, fold = self._forward_params(B)
        phi, a, instant = step_coefficients(p, self.dt)
        v, vx = self.initial_state(B, p) if state is None else state
        drive = x @ self.w_in.T + self.bias          # (T, B, H)
        per_step = drive.repeat_interleave(self.substeps, dim=0) if self.substeps > 1 else drive
        if fold:   # chip b's neurons are neurons b*H ... b*H + H - 1 of one sequence
            v_in, vx_in, per_step = v.reshape(1, B * H), vx.reshape(1, B * H, E), per_step.reshape(-1, 1, B * H)
        else:
            v_in, vx_in = v, vx
        if self.w_rec is None:
            v_fine, x_fine = run_trajectory(v_in, vx_in, per_step, p, phi, a, instant)   # (T*substeps, B, H[, E])
            x_last = x_fine[-1]
        else:
            v_fine, x_last = self._run_recurrent(v_in, vx_in, per_step, p, phi, a, instant)
        v_fine, vx = v_fine.reshape(-1, B, H), x_last.reshape(B, H, E)
        with torch.no_grad():   # on booleans: a quarter of the memory traffic of float comparisons
            above = v_fine >= self.v_th
            was_above = torch.cat([(v.detach() >= self.v_th).unsqueeze(0), above[:-1]])
            events = (above > was_above).to(v.dtype)
            if self.substeps > 1:
                events = events.reshape(T, self.substeps, B, -1).sum(1)
        v_all = v_fine[self.substeps - 1::self.substeps]
        v = v_all[-1]
        if self.substeps == 1:
            s = graded_output(v_all, self.v_th, self.v_sat)
        else:
            s_fine = graded_output(v_fine, self.v_th, self.v_sat).reshape(T, self.substeps, B, -1)
            s = torch.einsum("tsbh,s->tbh", s_fine, self.step_weights)
        return s, LayerState(v=v_all, events=events, last=(v, vx))
