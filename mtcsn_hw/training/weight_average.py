"""Stochastic weight averaging (Izmailov et al. 2018): the model ends on the mean of its parameters over the
last steps of training, not on the last step's. A free run of a chaotic series turns the step-to-step
jitter of the weights into phase slips; the mean sits in the middle of the basin the late steps wander in."""
from __future__ import annotations

import torch


class WeightAverage:
    """Running mean of `model`'s trainable parameters over the steps from `first_step` on (0-based)."""

    def __init__(self, model: torch.nn.Module, first_step: int):
        self.params = [p for p in model.parameters() if p.requires_grad]
        self.first_step = first_step
        self.mean = [torch.zeros_like(p) for p in self.params]
        self.count = 0

    @classmethod
    def over_last(cls, model: torch.nn.Module, fraction: float, iterations: int) -> WeightAverage | None:
        """Averaging over the last `fraction` of `iterations` steps (at least one); None when fraction is 0."""
        if fraction <= 0:
            return None
        return cls(model, iterations - max(1, round(fraction * iterations)))

    def after_step(self, step: int) -> None:
        if step < self.first_step:
            return
        self.count += 1
        with torch.no_grad():
            for m, p in zip(self.mean, self.params, strict=True):
                m += (p - m) / self.count

    def load(self) -> None:
        """Put the mean into the model's parameters."""
        with torch.no_grad():
            for m, p in zip(self.mean, self.params, strict=True):
                p.copy_(m)
