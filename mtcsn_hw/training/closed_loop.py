"""Training through the closed loop (autoregressive protocol): the last steps of a window run on the
network's own predictions, and BPTT goes through the fed-back predictions too (a multi-step loss).

The number of free-running steps grows linearly from 0 to `free_steps` over the first half of training
(a curriculum, as in scheduled sampling), so the network first learns the one-step map. With a lower bound,
each step first draws its own length from [lower, free_steps] (free_lengths), then ramps it the same way.
Noise on the fed-back predictions (feedback_noise) lets the loss see how a perturbed free run goes on.
"""
from __future__ import annotations

import numpy as np
import torch

from mtcsn_hw.training.network import Forecaster


def free_steps_at(iteration: int, iterations: int, free_steps: int) -> int:
    ramp = max(iterations // 2, 1)
    return round(free_steps * min(1.0, (iteration + 1) / ramp))


def free_lengths(free_steps: int, iterations: int, lower: int | None, seed: int) -> np.ndarray:
    """Each step's free-running length before the ramp: free_steps, or with `lower` drawn uniformly from
    [lower, free_steps] by a generator of its own, so the windows and noise stay the fixed-length recipe's."""
    if lower is None:
        return np.full(iterations, free_steps)
    return np.random.default_rng([seed, 1]).integers(lower, free_steps + 1, size=iterations)


def feedback_noise(std: float, free_steps: int, batch: int, rng: np.random.Generator) -> torch.Tensor | None:
    """Gaussian noise (free_steps, batch, 1) of this std for the fed-back predictions (None when std is 0, and
    then rng draws nothing)."""
    if std == 0 or free_steps == 0:
        return None
    return std * torch.tensor(rng.standard_normal((free_steps, batch, 1)), dtype=torch.float32)


def closed_loop_run(model: Forecaster, x: torch.Tensor, free_steps: int, noise: torch.Tensor | None = None):
    """Outputs (T, B, 1) and hidden outputs (T, B, H) for inputs x (T, B, 1): teacher-forced for the first
    T - free_steps steps, then each step's input is the previous step's prediction (plus noise[k], if given)."""
    n_tf = x.shape[0] - free_steps
    out = model(x[:n_tf])
    ys, hs, state, y = [out.y], [out.hidden], out.state, out.y[-1:]
    for k in range(free_steps):
        step = model(y if noise is None else y + noise[k:k + 1], state)
        state, y = step.state, step.y
        ys.append(y)
        hs.append(step.hidden)
    return torch.cat(ys), torch.cat(hs)
