import math

import torch

from mtcsn_hw.baselines.adlif import AdLIFLayer, adlif_step
from mtcsn_hw.baselines.lif import LIFLayer
from mtcsn_hw.baselines.surrogates import slayer_spike


def test_slayer_surrogate_value_and_gradient():
    x = torch.tensor([-0.2, 0.0, 0.3], requires_grad=True)
    z = slayer_spike(x, alpha=5.0, c=0.4)
    assert z.tolist() == [0.0, 1.0, 1.0]
    z.sum().backward()
    expected = [0.4 * 5 / 2 * math.exp(-5 * abs(v)) for v in (-0.2, 0.0, 0.3)]
    assert torch.allclose(x.grad, torch.tensor(expected))


def test_adlif_step_hand_computed():
    u, w = torch.tensor([0.5]), torch.tensor([0.2])
    du, dw, a, b, q = 0.9, 0.99, torch.tensor([0.5]), torch.tensor([1.0]), 60.0
    # below threshold: u = 0.9*0.5 + 0.1*(1.0 - 0.2) = 0.53; w = 0.99*0.2 + 0.01*60*(0.5*0.53)
    u1, w1, z1 = adlif_step(u, w, torch.tensor([1.0]), du, dw, a, b, q, theta=1.0)
    assert z1.item() == 0 and u1.item() == pytest_approx(0.53)
    assert w1.item() == pytest_approx(0.198 + 0.6 * 0.265)
    # above threshold: spike, reset to 0, and w sees the new (reset) u and the spike (symplectic Euler)
    u2, w2, z2 = adlif_step(torch.tensor([0.0]), torch.tensor([0.0]), torch.tensor([20.0]), du, dw, a, b, q)
    assert z2.item() == 1 and u2.item() == 0.0
    assert w2.item() == pytest_approx(0.01 * 60 * 1.0)


def pytest_approx(v):
    import pytest
    return pytest.approx(v, rel=1e-6)


def test_adlif_layer_adapts_under_constant_drive():
    layer = AdLIFLayer(1, 4, input_scale=1.0, generator=torch.Generator().manual_seed(0))
    with torch.no_grad():
        layer.w_in.fill_(1.0)
        layer.a.fill_(0.0)
        layer.b.fill_(2.0)
    z, events, v, state = layer(torch.full((400, 1, 1), 5.0))
    first, last = z[:100].sum().item(), z[-100:].sum().item()
    assert first > 0 and last < first  # spike-triggered adaptation lowers the rate
    assert torch.equal(events, z > 0)


def test_lif_layer_fires_periodically_and_passes_gradients():
    layer = LIFLayer(1, 3, generator=torch.Generator().manual_seed(0))
    with torch.no_grad():
        layer.w_in.fill_(1.0)
        layer.lif.beta.fill_(0.5)
    x = torch.full((40, 1, 1), 0.6, requires_grad=True)
    z, events, v, _ = layer(x)
    # 0.6, 0.9, 1.05: spike; then 0.125, 0.6625, 0.93125, 1.0656: spike (subtractive reset)
    assert z[:, 0, 0].nonzero().reshape(-1)[:2].tolist() == [2, 6]
    z.sum().backward()
    assert x.grad.abs().sum() > 0 and layer.w_in.grad.abs().sum() > 0


def test_layers_continue_from_state():
    for layer in (LIFLayer(1, 5, generator=torch.Generator().manual_seed(1)),
                  AdLIFLayer(1, 5, input_scale=3.0, generator=torch.Generator().manual_seed(1))):
        x = torch.randn(60, 2, 1, generator=torch.Generator().manual_seed(2)) * 3
        with torch.no_grad():
            z_all, *_ = layer(x)
            z_a, _, _, st = layer(x[:25])
            z_b, *_ = layer(x[25:], st)
        assert torch.equal(torch.cat([z_a, z_b]), z_all)
