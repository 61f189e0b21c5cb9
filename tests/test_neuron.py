"""The discrete neuron against independent references: DESIGN numbers, finite differences, solve_ivp."""
import numpy as np
import pytest
import torch
from scipy.integrate import solve_ivp

from mtcsn_hw import NeuronParams, simulate_neuron
from mtcsn_hw.calibration.record import rhythm
from mtcsn_hw.calibration.reference import autonomous_spikes, fine_model_spikes, fine_model_spikes_many
from mtcsn_hw.model.neuron import DEFAULT_KICK, resting_state, stack_params
from mtcsn_hw.model.regimes import spike_features


def test_bursting_preset_reproduces_the_reference_numbers():
    # DESIGN §1 (Ribar-Sepulchre reference code): 7 spikes a burst, intra-burst ISI ~69, period ~2494.
    tr = simulate_neuron(NeuronParams.preset("bursting"), dt=0.1, t_end=12000)
    st = tr.spikes.numpy()
    isi = np.diff(st)
    long = np.nonzero(isi > 500)[0]
    bursts = np.split(st, long + 1)[1:-1]           # complete bursts only
    assert len(bursts) >= 2
    assert all(len(b) == 7 for b in bursts)
    assert np.median(np.concatenate([np.diff(b) for b in bursts])) == pytest.approx(69, rel=0.06)
    assert np.median(np.diff([b[0] for b in np.split(st, long + 1)[1:]])) == pytest.approx(2494, rel=0.03)
    late = tr.v[tr.t > 3000].numpy()
    assert late.min() == pytest.approx(-3.0, abs=0.1) and late.max() == pytest.approx(2.9, abs=0.1)


def test_tonic_preset_isi():
    st = simulate_neuron(NeuronParams.preset("tonic"), dt=0.05, t_end=1000).spikes.numpy()
    assert np.diff(st)[2:].mean() == pytest.approx(58, rel=0.03)


def test_float_path_equals_torch_path():
    p = NeuronParams.preset("bursting")
    fast = simulate_neuron(p, dt=0.5, t_end=4000)
    alpha = torch.tensor(-2.0, dtype=torch.float64, requires_grad=True)   # forces the graph path
    slow = simulate_neuron(p.with_element("fast-", alpha=alpha), dt=0.5, t_end=4000)
    # The two paths round differently (the torch path is arranged for speed): the same map agrees to
    # rounding over the quiet first 1000 time units; the escape into the bursts amplifies it ~1e4-fold.
    quiet = slice(0, 2001)
    assert torch.allclose(fast.v[quiet], slow.v[quiet].detach(), rtol=0, atol=1e-12)
    assert torch.allclose(fast.v, slow.v.detach(), rtol=0, atol=1e-7)
    for name in fast.vx:
        assert torch.allclose(fast.vx[name][quiet], slow.vx[name][quiet].detach(), rtol=0, atol=1e-12)
        assert torch.allclose(fast.vx[name], slow.vx[name].detach(), rtol=0, atol=1e-7)
    assert torch.allclose(fast.spikes, slow.spikes.detach(), rtol=0, atol=1e-7)


def test_batches_equal_single_runs_in_float32_and_float64():
    presets = [NeuronParams.preset("bursting").replace(i_app=i) for i in (-2.0, -1.6, -1.0)]
    drive = torch.full((3000,), -1.8, dtype=torch.float64)
    for dtype in (torch.float64, torch.float32):
        batch = simulate_neuron(presets, drive, dt=0.5, dtype=dtype)
        assert batch.v.shape == (3001, 3) and batch.v.dtype == dtype
        for k, p in enumerate(presets):
            single = simulate_neuron(p, drive, dt=0.5, dtype=dtype)
            assert torch.allclose(batch.v[:, k], single.v, atol=1e-5 if dtype == torch.float32 else 1e-12)
    big = simulate_neuron([presets[0]] * 20, drive, dt=0.5)            # > 16 neurons: one torch batch
    assert torch.allclose(big.v[:, 19], simulate_neuron(presets[0], drive, dt=0.5).v, atol=1e-11)


def test_tensor_fields_batch_many_parameter_sets():
    i_app = torch.tensor([-2.0, -0.5, 0.5], dtype=torch.float64)
    p = NeuronParams.preset("tonic").replace(i_app=i_app)
    tr = simulate_neuron(p, dt=0.5, t_end=600)
    assert tr.v.shape == (1201, 3)
    counts = [len(s) for s in tr.spike_times]
    assert counts[0] == 0 and counts[1] > 5       # hyperpolarised: silent; default drive: tonic


def test_large_steps_stay_bounded():
    # exponential Euler on the passive term: a stiff leak (g/c = 50) with dt = 1 does not blow up
    p = NeuronParams.preset("tonic").replace(g=50.0, c=1.0)
    v = simulate_neuron(p, dt=1.0, t_end=500).v
    assert torch.isfinite(v).all() and v.abs().max() < 1.0


def test_spike_time_is_differentiable_and_matches_finite_differences():
    def first_spike(i_app):
        p = NeuronParams.preset("tonic").replace(i_app=i_app)
        return simulate_neuron(p, dt=0.25, t_end=200, v0=-1.0).spikes[1]
    i0 = torch.tensor(-0.5, dtype=torch.float64, requires_grad=True)
    (grad,) = torch.autograd.grad(first_spike(i0), i0)
    eps = 1e-6
    fd = (first_spike(torch.tensor(-0.5 + eps, dtype=torch.float64))
          - first_spike(torch.tensor(-0.5 - eps, dtype=torch.float64))) / (2 * eps)
    assert grad.item() == pytest.approx(fd.item(), rel=1e-5)
    assert abs(grad.item()) > 1.0          # the ISI depends strongly on the drive


def _leaves(p: NeuronParams):
    """Every differentiable parameter as (label, getter-free setter) pairs."""
    out = [("c",), ("g",), ("e_rev",), ("i_app",)]
    for e in p.elements:
        out += [(e.name, "alpha"), (e.name, "delta")]
        if e.tau > 0:
            out.append((e.name, "tau"))
    return out


def _set(p: NeuronParams, key, value):
    return p.replace(**{key[0]: value}) if len(key) == 1 else p.with_element(key[0], **{key[1]: value})


def _get(p: NeuronParams, key):
    return getattr(p, key[0]) if len(key) == 1 else getattr(p.element(key[0]), key[1])


@pytest.mark.parametrize("name, i_app, t_end", [("tonic", -0.5, 250.0), ("bursting", -0.5, 400.0)])
def test_gradients_equal_central_finite_differences(name, i_app, t_end):
    base = NeuronParams.preset(name).replace(i_app=i_app)
    dt = 0.5

    def loss(p):
        v = simulate_neuron(p, dt=dt, t_end=t_end, v0=-1.0).v
        return (torch.tanh(v) * torch.linspace(0, 1, v.shape[0], dtype=v.dtype)).mean()

    keys = _leaves(base)
    tensors = {k: torch.tensor(float(_get(base, k)), dtype=torch.float64, requires_grad=True) for k in keys}
    p = base
    for k, t in tensors.items():
        p = _set(p, k, t)
    assert len(simulate_neuron(p, dt=dt, t_end=t_end, v0=-1.0).spikes) >= 2      # trajectory spikes
    grads = torch.autograd.grad(loss(p), list(tensors.values()))
    for k, g in zip(keys, grads, strict=True):
        x0 = float(_get(base, k))
        eps = 1e-6 * max(1.0, abs(x0))
        fd = (loss(_set(base, k, x0 + eps)) - loss(_set(base, k, x0 - eps))) / (2 * eps)
        assert g.item() == pytest.approx(fd.item(), rel=1e-5, abs=1e-9), k


def _ode_spike_times(p: NeuronParams, v0: float | None, t_end: float, threshold=0.0):
    """v0 None: rest plus the model's kick, as simulate_neuron starts."""
    sp = stack_params(p)
    alpha, delta, tau = sp.alpha[0].numpy(), sp.delta[0].numpy(), sp.tau[0].numpy()
    filt = tau > 0
    rest = float(resting_state(sp, sp.i_app)[0])

    def rhs(t, y):
        v, x = y[0], y[1:]
        vx = np.full(alpha.shape, v)
        vx[filt] = x
        dv = (p.i_app - p.g * (v - p.e_rev) - np.sum(alpha * np.tanh(vx - delta))) / p.c
        return np.concatenate([[dv], (v - x) / tau[filt]])

    def crossing(t, y):
        return y[0] - threshold
    crossing.direction = 1
    y0 = np.concatenate([[rest + DEFAULT_KICK if v0 is None else v0], np.full(filt.sum(), rest)])
    sol = solve_ivp(rhs, (0, t_end), y0, method="DOP853", rtol=1e-10, atol=1e-10, events=crossing, max_step=1.0)
    return sol.t_events[0], rest


def test_calibration_reference_rhythm_is_the_continuous_time_models():
    p = NeuronParams.preset("bursting")
    ode, _ = _ode_spike_times(p, None, 10000.0)
    ref = rhythm(autonomous_spikes([p], 10000.0)[0], 10000.0)
    want = rhythm(ode, 10000.0)
    assert ref["spikes_per_burst"] == want["spikes_per_burst"] == 7.0
    assert ref["intra_burst_isi"] == pytest.approx(want["intra_burst_isi"], rel=0.005)
    assert ref["period"] == pytest.approx(want["period"], rel=0.005)


def test_batched_twin_trains_are_each_neurons_own_run():
    from mtcsn_hw.calibration.measure_spikes import driven_stimulus
    stim = driven_stimulus(3000.0, 4)
    neurons = [NeuronParams.preset("bursting"), NeuronParams.preset("tonic"),
               NeuronParams.from_dict({**NeuronParams.preset("bursting").to_dict(), "i_app": -1.7})]
    batched = fine_model_spikes_many(neurons, stim, batch_min=2)
    for p, got in zip(neurons, batched, strict=True):
        alone = fine_model_spikes(p, stim)
        assert alone.size > 3 and got.shape == alone.shape
        np.testing.assert_allclose(got, alone, rtol=0, atol=1e-9)
    assert batched[0].size != batched[1].size     # the trains are the neurons' own, not one copied


def test_spike_times_converge_to_solve_ivp_as_dt_shrinks():
    # Start on a spike (V = 0.5, filters at rest): leaving an unstable rest would make the timing of the
    # first burst hinge on round-off, not on the discretisation.
    p = NeuronParams.preset("bursting")
    ref, _ = _ode_spike_times(p, 0.5, 7600.0)
    f = spike_features(ref, 0, 7600)
    assert f["n_long_isi"] >= 2 and f["n_spikes"] >= 20              # three bursts
    errors = []
    for dt in (0.1, 0.03, 0.01):
        st = simulate_neuron(p, dt=dt, t_end=7600.0, v0=0.5).spikes.numpy()
        assert len(st) == len(ref), dt
        errors.append(np.abs(st - ref).max())
    assert errors[2] < errors[1] < errors[0]                          # converges, first order
    assert errors[0] / errors[2] > 5
    assert errors[2] < 0.02 * np.mean(np.diff(ref))                   # within 2 % of the mean ISI
    assert errors[2] < 0.02 * f["median_isi"]                         # and of the intra-burst ISI
