"""The hand-written adjoint (one autograd node per trajectory) against autograd through `neuron.step`."""
import pytest
import torch

from mtcsn_hw.model.adjoint import run_trajectory
from mtcsn_hw.model.neuron import StackedParams, step_coefficients, step_reference

N, E, B, S = 3, 4, 2, 200
# Every state layout of the adjoint: one instantaneous element (every preset; first or not), none,
# two, and a different set per neuron.
TAUS = {
    "one instantaneous": [[0.0, 5.0, 2.0, 40.0]] * N,
    "one instantaneous, not first": [[5.0, 0.0, 2.0, 40.0]] * N,
    "none instantaneous": [[3.0, 5.0, 2.0, 40.0]] * N,
    "two instantaneous": [[0.0, 5.0, 0.0, 40.0]] * N,
    "per-neuron sets": [[0.0, 5.0, 2.0, 40.0], [3.0, 0.0, 2.0, 40.0], [3.0, 5.0, 2.0, 40.0]],
}


def _case(tau, dtype):
    gen = torch.Generator().manual_seed(0)
    leaves = {
        "alpha": torch.randn(N, E, generator=gen, dtype=torch.float64) * 2,
        "delta": torch.randn(N, E, generator=gen, dtype=torch.float64),
        "tau": torch.tensor(tau, dtype=torch.float64),
        "g": torch.rand(N, generator=gen, dtype=torch.float64) + 0.5,
        "c": torch.rand(N, generator=gen, dtype=torch.float64) + 0.5,
        "e_rev": torch.randn(N, generator=gen, dtype=torch.float64),
        "v0": torch.randn(B, N, generator=gen, dtype=torch.float64),
        "x0": torch.randn(B, N, E, generator=gen, dtype=torch.float64),
        "drive": torch.randn(S, B, N, generator=gen, dtype=torch.float64) * 2,
    }
    leaves = {k: t.to(dtype).requires_grad_(True) for k, t in leaves.items()}
    weights = (torch.randn(S, B, N, generator=gen, dtype=dtype), torch.randn(S, B, N, E, generator=gen, dtype=dtype))
    return leaves, weights


def _loss_and_grads(leaves, weights, adjoint: bool):
    p = StackedParams(["a", "b", "c", "d"], leaves["c"], leaves["g"], leaves["e_rev"], torch.zeros(N),
                      leaves["alpha"], leaves["delta"], leaves["tau"])
    phi, a, instant = step_coefficients(p, 0.7)
    args = (leaves["v0"], leaves["x0"], leaves["drive"], p, phi, a, instant)
    if adjoint:
        V, X = run_trajectory(*args)
    else:
        V, X = (t[1:] for t in step_reference(*args))
        X = torch.where(instant, V.unsqueeze(-1), X)     # an instantaneous element reads V
    loss = (torch.tanh(V) * weights[0]).sum() + (X * weights[1]).sum()
    return V.detach(), X.detach(), torch.autograd.grad(loss, list(leaves.values()), allow_unused=True)


@pytest.mark.parametrize("layout", list(TAUS))
def test_adjoint_equals_autograd_through_every_step(layout):
    leaves, weights = _case(TAUS[layout], torch.float64)
    V, X, g_adj = _loss_and_grads(leaves, weights, adjoint=True)
    Vr, Xr, g_ref = _loss_and_grads(leaves, weights, adjoint=False)
    assert torch.allclose(V, Vr, rtol=0, atol=1e-12) and torch.allclose(X, Xr, rtol=0, atol=1e-12)
    assert V.abs().max() > 1                                          # a trajectory that moves
    for name, ga, gr in zip(leaves, g_adj, g_ref, strict=True):
        assert gr is not None and ga is not None, name
        assert torch.allclose(ga, gr, rtol=1e-9, atol=1e-9), name
        assert gr.abs().max() > 0, name


def test_float32_adjoint_follows_the_float64_reference():
    leaves, weights = _case(TAUS["one instantaneous"], torch.float64)
    _, _, g_ref = _loss_and_grads(leaves, weights, adjoint=False)
    leaves32 = {k: t.detach().float().requires_grad_(True) for k, t in leaves.items()}
    V, _, g32 = _loss_and_grads(leaves32, tuple(w.float() for w in weights), adjoint=True)
    assert V.dtype == torch.float32
    for name, ga, gr in zip(leaves, g32, g_ref, strict=True):
        assert ga.dtype == torch.float32, name
        assert torch.allclose(ga.double(), gr, rtol=1e-3, atol=1e-4 * gr.abs().max()), name
