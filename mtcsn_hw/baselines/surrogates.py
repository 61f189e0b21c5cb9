"""Heaviside spike functions with surrogate gradients."""
from __future__ import annotations

import torch


class _SlayerSpike(torch.autograd.Function):
    """Forward: x >= 0. Backward: SLAYER's exponential, c * alpha / 2 * exp(-alpha |x|)."""

    @staticmethod
    def forward(ctx, x, alpha: float, c: float):
        ctx.save_for_backward(x)
        ctx.alpha, ctx.c = alpha, c
        return (x >= 0).to(x.dtype)

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        return grad * ctx.c * ctx.alpha / 2 * torch.exp(-ctx.alpha * x.abs()), None, None


def slayer_spike(x: torch.Tensor, alpha: float = 5.0, c: float = 0.4) -> torch.Tensor:
    return _SlayerSpike.apply(x, alpha, c)
