"""Training through the closed loop (autoregressive protocol): the last steps of a window run on the
network's own predictions, and BPTT goes through the fed-back predictions too (a multi-step loss).

The number of free-running steps grows linearly from 0 to `free_steps` over the first half of training
(a curriculum, as in scheduled sampling), so the network first learns the one-step map.
"""
from __future__ import annotations

import torch

from mtcsn_hw.training.network import Forecaster


def free_steps_at(iteration: int, iterations: int, free_steps: int) -> int:
    ramp = max(iterations // 2, 1)
    return round(free_steps * min(1.0, (iteration + 1) / ramp))


def closed_loop_run(model: Forecaster, x: torch.Tensor, free_steps: int):
    """Outputs (T, B, 1) and hidden outputs (T, B, H) for inputs x (T, B, 1): teacher-forced for the first
    T - free_steps steps, then each step's input is the previous step's prediction."""
    n_tf = x.shape[0] - free_steps
    out = model(x[:n_tf])
    ys, hs, state, y = [out.y], [out.hidden], out.state, out.y[-1:]
    for _ in range(free_steps):
        step = model(y, state)
        state, y = step.state, step.y
        ys.append(y)
        hs.append(step.hidden)
    return torch.cat(ys), torch.cat(hs)
