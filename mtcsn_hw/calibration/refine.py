"""Twin refinement on a measured trajectory: gradient through the differentiable model.

The loss is the mean squared difference between the measured membrane voltage and the twin's, both
low-passed (an exponential kernel of `smooth` time units, which turns a small spike-time error into a
small loss change instead of a cliff), over the first `window` time units of a run, driven by the same
stimulus. Adam on every element's alpha and delta and on i_app, each kept within a box around its DC-fit
value. Each iterate is then scored, without gradient, on the whole recorded trace (a cheap forward run),
and the best-scoring one is kept: the twin never leaves refinement worse than it entered, and a fit that
only suits the short window is not taken.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import torch

from mtcsn_hw.calibration.measurements import Run, stimulus_current
from mtcsn_hw.errors import ParameterError
from mtcsn_hw.model.neuron import simulate_neuron
from mtcsn_hw.model.params import Element, NeuronParams


@dataclass(frozen=True)
class Box:
    """How far refinement may move each parameter from where it started."""

    alpha_rel: float = 0.25
    delta: float = 0.3
    i_app: float = 0.3


@dataclass
class Refinement:
    params: NeuronParams
    losses: list = field(default_factory=list)   # window loss at each iterate (0 = the starting twin)
    scores: list = field(default_factory=list)   # whole-trace loss at each iterate
    best: int = 0


def _smooth(x: torch.Tensor, width: float, step: float) -> torch.Tensor:
    if width <= 0:
        return x
    n = max(1, int(round(5 * width / step)))
    kernel = torch.exp(-torch.arange(n, dtype=x.dtype) * step / width)
    kernel = (kernel / kernel.sum()).flip(0).reshape(1, 1, -1)
    padded = torch.cat([x[:1].expand(n - 1), x]).reshape(1, 1, -1)
    return torch.nn.functional.conv1d(padded, kernel).reshape(-1)


def _with_tensors(base: NeuronParams, alpha, delta, i_app) -> NeuronParams:
    elements = [Element(e.name, alpha[j], delta[j], e.tau) for j, e in enumerate(base.elements)]
    return NeuronParams(elements=elements, c=base.c, g=base.g, e_rev=base.e_rev, i_app=i_app)


def trace_loss(params: NeuronParams, run: Run, window: float, smooth: float = 2.0) -> torch.Tensor:
    """Smoothed voltage MSE between `params` and the run's recorded voltage over [0, window]."""
    if run.v is None:
        raise ParameterError("trajectory refinement needs a run with a recorded voltage trace")
    dt = float(run.stimulus["dt"])
    stride = int(round(run.v_dt / dt))
    if stride < 1 or abs(stride * dt - run.v_dt) > 1e-9 * run.v_dt:
        raise ParameterError(f"run v_dt {run.v_dt} must be a multiple of the stimulus dt {dt}")
    samples = run.v.size - 1 if window == float("inf") else min(run.v.size - 1, int(window / run.v_dt))
    steps = samples * stride
    fluctuation = torch.as_tensor(stimulus_current(run.stimulus, 0.0)[:steps])
    i_app = torch.as_tensor(params.i_app, dtype=torch.float64)
    trace = simulate_neuron(params, fluctuation + i_app, dt=dt)
    simulated = trace.v[::stride]
    measured = torch.as_tensor(run.v[: samples + 1])
    return torch.mean((_smooth(simulated, smooth, run.v_dt) - _smooth(measured, smooth, run.v_dt)) ** 2)


def refine_twin(start: NeuronParams, run: Run, window: float = 3000.0, iterations: int = 30, lr: float = 0.01,
                smooth: float = 2.0, box: Box | None = None) -> Refinement:
    box = box or Box()
    a0 = torch.tensor([float(e.alpha) for e in start.elements], dtype=torch.float64)
    d0 = torch.tensor([float(e.delta) for e in start.elements], dtype=torch.float64)
    i0 = torch.tensor(float(start.i_app), dtype=torch.float64)
    alpha, delta, i_app = a0.clone().requires_grad_(), d0.clone().requires_grad_(), i0.clone().requires_grad_()
    opt = torch.optim.Adam([alpha, delta, i_app], lr=lr)
    result = Refinement(start)
    best = np.inf
    for it in range(iterations + 1):
        opt.zero_grad()
        loss = trace_loss(_with_tensors(start, alpha, delta, i_app), run, window, smooth)
        result.losses.append(float(loss.detach()))
        candidate = _with_tensors(start, alpha.detach().clone(), delta.detach().clone(), i_app.detach().clone())
        with torch.no_grad():
            score = float(trace_loss(candidate, run, float("inf"), smooth))
        result.scores.append(score)
        if score < best:
            best, result.best, result.params = score, it, candidate
        if it == iterations:
            break
        loss.backward()
        opt.step()
        with torch.no_grad():
            lim = box.alpha_rel * a0.abs()
            alpha.copy_(torch.maximum(torch.minimum(alpha, a0 + lim), a0 - lim))
            delta.copy_(d0 + (delta - d0).clamp(-box.delta, box.delta))
            i_app.copy_(i0 + (i_app - i0).clamp(-box.i_app, box.i_app))
    result.params = NeuronParams.from_dict(result.params.to_dict())
    return result
