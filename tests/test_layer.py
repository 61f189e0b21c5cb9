import torch

from mtcsn_hw import simulate_neuron
from mtcsn_hw.model.layer import DELTA_RANGE, MTCSNLayer


def test_shapes_and_exact_zeros_below_threshold():
    layer = MTCSNLayer(3, 16, template="tonic", seed=0)
    x = torch.randn(120, 4, 3)
    s, state = layer(x)
    assert s.shape == state.v.shape == state.events.shape == (120, 4, 16)
    below = state.v < layer.v_th
    assert below.any() and (~below).any()
    assert torch.all(s[below] == 0)                     # exactly zero, not small
    assert torch.all((s[~below] > 0) & (s[~below] <= 1))


def test_constraints_survive_wild_optimisation():
    layer = MTCSNLayer(2, 8, template="bursting", seed=1)
    signs = torch.sign(layer.alpha.detach())
    opt = torch.optim.Adam(layer.parameters(), lr=1.0)
    for _ in range(3):
        opt.zero_grad()
        s, _ = layer(torch.randn(40, 2, 2))
        (s.sum() + layer.delta.sum() * 100 - layer.tau.sum()).backward()
        opt.step()
    assert torch.equal(torch.sign(layer.alpha.detach()), signs)
    filtered = ~layer.instant
    assert torch.all(layer.tau[filtered] > 0) and torch.all(layer.tau[layer.instant] == 0)
    assert torch.all((layer.delta >= DELTA_RANGE[0]) & (layer.delta <= DELTA_RANGE[1]))


def test_layer_neuron_equals_simulate_neuron():
    layer = MTCSNLayer(1, 4, template="bursting", dt=0.5, seed=2, dtype=torch.float64)
    x = torch.sin(torch.linspace(0, 20, 400, dtype=torch.float64)).reshape(400, 1, 1)
    _, state = layer(x)
    drive = (x[:, 0, :] @ layer.w_in.T + layer.bias).detach()
    ref = simulate_neuron(layer.neuron_params(), drive, dt=0.5, kick=0.0)
    assert torch.allclose(state.v[:, 0, :].detach(), ref.v[1:], atol=1e-10)
    counts = torch.tensor([((s >= 0) & True).sum() for s in simulate_neuron(
        layer.neuron_params(), drive, dt=0.5, kick=0.0, threshold=layer.v_th).spike_times])
    assert torch.equal(state.events[:, 0, :].sum(0).long(), counts)


def test_gradients_reach_every_parameter():
    layer = MTCSNLayer(2, 6, template="bursting", seed=3)
    s, _ = layer(torch.randn(60, 3, 2) * 2)
    s.sum().backward()
    for name, prm in layer.named_parameters():
        assert prm.grad is not None and torch.isfinite(prm.grad).all() and prm.grad.abs().sum() > 0, name


def test_substeps_hold_each_input():
    layer = MTCSNLayer(1, 2, template="tonic", substeps=4, dt=0.25, seed=4, dtype=torch.float64)
    x = torch.zeros(50, 1, 1, dtype=torch.float64)
    _, state = layer(x)
    drive = layer.bias.detach().expand(200, 2)
    ref = simulate_neuron(layer.neuron_params(), drive, dt=0.25, kick=0.0)
    assert torch.allclose(state.v[:, 0, :].detach(), ref.v[4::4], atol=1e-10)


def test_substep_output_is_what_the_readout_low_pass_sees_at_the_end_of_each_sample():
    """The weighted substep output, filtered once per sample, equals a low-pass run at every substep on the
    graded output and read at the end of each sample (the circuit's RC in the limit of many substeps)."""
    from mtcsn_hw.model.output import graded_output
    S, out_tau = 8, 3.0
    layer = MTCSNLayer(1, 6, template="tonic", substeps=S, dt=1 / S, v_th=0.5, seed=5, dtype=torch.float64,
                       readout_tau=out_tau)
    x = 2.0 * torch.randn(80, 1, 1, dtype=torch.float64, generator=torch.Generator().manual_seed(0))
    x[0] = 0.0      # the reference starts its filters at rest for the first drive, the layer for its bias
    s, _ = layer(x)
    v0 = layer.initial_state(1)[0][0].detach()
    drive = (x[:, 0] @ layer.w_in.T + layer.bias).detach().repeat_interleave(S, 0)
    fine = simulate_neuron(layer.neuron_params(), drive, dt=1 / S, v0=v0, kick=0.0).v[1:]      # (T S, H)
    a_f, a = torch.exp(torch.tensor(-1 / (S * out_tau))), torch.exp(torch.tensor(-1 / out_tau))
    f = graded_output(fine, layer.v_th, layer.v_sat)
    y_fine, y_coarse = torch.zeros(6, dtype=torch.float64), torch.zeros(6, dtype=torch.float64)
    for n in range(80):
        for j in range(S):
            y_fine = a_f * y_fine + (1 - a_f) * f[n * S + j]
        y_coarse = a * y_coarse + (1 - a) * s[n, 0].detach()
        assert torch.allclose(y_coarse, y_fine, atol=1e-9)
    assert (s > 0).any()


def _recurrent_pair(h=5):
    """A recurrent layer and a feedforward twin reading [x, s(t-1)] through [w_in, w_rec] (float64, one substep)."""
    rec = MTCSNLayer(1, h, template="tonic", seed=3, dtype=torch.float64, recurrent=True, v_th=0.0, v_sat=1.0)
    ff = MTCSNLayer(1 + h, h, template="tonic", seed=3, dtype=torch.float64, v_th=0.0, v_sat=1.0)
    ff.load_state_dict({k: v for k, v in rec.state_dict().items() if k not in ("w_in", "w_rec")}, strict=False)
    with torch.no_grad():
        rec.w_rec.copy_(torch.randn(h, h, generator=torch.Generator().manual_seed(4), dtype=torch.float64))
        ff.w_in.copy_(torch.cat([rec.w_in, rec.w_rec], 1))
    return rec, ff


def test_recurrent_layer_feeds_each_output_back_one_step_later():
    x = torch.sin(torch.linspace(0, 12, 150, dtype=torch.float64)).reshape(150, 1, 1).repeat(1, 2, 1)
    rec, ff = _recurrent_pair()
    s_rec, _ = rec(x)
    assert s_rec.detach().std() > 0.05                     # the lateral currents do matter here
    state, s_prev, outs = None, torch.zeros(2, 5, dtype=torch.float64), []
    for t in range(len(x)):
        s_prev, st = ff(torch.cat([x[t], s_prev], -1).unsqueeze(0), state)
        state, s_prev = st.last, s_prev[0]
        outs.append(s_prev)
    assert torch.allclose(s_rec, torch.stack(outs), atol=1e-12)
    zero = MTCSNLayer(1, 5, template="tonic", seed=3, recurrent=True)
    assert torch.equal(zero(x.float())[0], MTCSNLayer(1, 5, template="tonic", seed=3)(x.float())[0])


def test_recurrent_weights_gradient_matches_finite_differences():
    x = torch.sin(torch.linspace(0, 6, 60, dtype=torch.float64)).reshape(60, 1, 1)
    rec, _ = _recurrent_pair(3)
    probe = torch.randn(60, 1, 3, generator=torch.Generator().manual_seed(5), dtype=torch.float64)

    def loss():
        return (rec(x)[0] * probe).sum()

    loss().backward()
    eps = 1e-6
    for i, j in ((0, 1), (2, 0), (2, 1)):        # nonzero gradients (neuron 1 never fires)
        with torch.no_grad():
            rec.w_rec[i, j] += eps
            up = loss().item()
            rec.w_rec[i, j] -= 2 * eps
            down = loss().item()
            rec.w_rec[i, j] += eps
        assert abs(rec.w_rec.grad[i, j].item() - (up - down) / (2 * eps)) < 1e-5 * max(1.0, abs(up - down) / eps)
