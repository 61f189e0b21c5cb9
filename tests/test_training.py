import numpy as np
import pytest
import torch
from forecaster_helpers import PassThrough

from mtcsn_hw.errors import ParameterError
from mtcsn_hw.tasks.mackey_glass import neurobench_series
from mtcsn_hw.training.config import TrainConfig
from mtcsn_hw.training.evaluate import metrics, predict
from mtcsn_hw.training.loop import build_model, fit

SERIES = None


def small_series():
    global SERIES
    if SERIES is None:
        SERIES = neurobench_series(train_lyap=4, test_lyap=1, extra=10)
    return SERIES


def tiny(model, **kw):
    base = dict(model=model, horizon=10, n_hidden=8, iterations=25, batch=4, window=60, washout=10, lr=2e-2)
    base.update(kw)
    return TrainConfig(**base)


def train_part_mse(model, cfg, series, norm):
    """MSE over the whole train part (after the washout), the network run from rest."""
    u = norm(series.x)
    n, h = series.n_train - cfg.horizon, cfg.horizon
    with torch.no_grad():
        y = model(torch.tensor(u[:n], dtype=torch.float32).reshape(-1, 1, 1)).y[:, 0, 0].numpy()
    return float(np.mean((y[cfg.washout:] - u[h:n + h][cfg.washout:]) ** 2))


@pytest.mark.parametrize("model", ["lif", "adlif", "mtcsn"])
def test_training_reduces_the_loss(model):
    cfg = tiny(model, activity_reg=0.0)  # the prediction loss alone (the regulariser has its own test)
    s = small_series()
    trained, _, norm, hist = fit(cfg, series=s, progress=False)
    untrained = build_model(cfg)
    before, after = train_part_mse(untrained, cfg, s, norm), train_part_mse(trained, cfg, s, norm)
    assert after < 0.9 * before, (before, after)


def test_same_seed_same_model_other_seed_differs():
    a, *_ = fit(tiny("lif", iterations=3), series=small_series(), progress=False)
    b, *_ = fit(tiny("lif", iterations=3), series=small_series(), progress=False)
    c, *_ = fit(tiny("lif", iterations=3, seed=1), series=small_series(), progress=False)
    assert torch.equal(a.readout.weight, b.readout.weight)
    assert not torch.equal(a.readout.weight, c.readout.weight)


@pytest.mark.parametrize("protocol", ["direct", "autoregressive"])
def test_predictions_cover_the_test_part(protocol):
    s = small_series()
    cfg = tiny("adlif", iterations=2, protocol=protocol)
    model, _, norm, _ = fit(cfg, series=s, progress=False)
    pred = predict(model, s, norm, protocol, cfg.horizon)
    h = cfg.horizon if protocol == "direct" else 0
    assert np.array_equal(pred["y_true"], s.x[s.n_train + h:s.n_train + s.n_test + h])
    assert pred["y_pred"].shape == (s.n_test,) and pred["events"].shape == (s.n_test, 1, 8)
    m = metrics(pred, model.binary)
    assert m["synops_dense"] == 8 + 8 and 0 <= m["spike_rate"] <= 1


def test_autoregressive_test_feeds_back_its_own_predictions():
    s = small_series()
    cfg = tiny("lif", iterations=2, protocol="autoregressive")
    model, _, norm, _ = fit(cfg, series=s, progress=False)
    pred = predict(model, s, norm, "autoregressive", 1)
    # during the test part each prediction is the next input (not the data)
    assert np.allclose(norm.inverse(pred["inputs"][:, 0, 0]), pred["y_pred"], atol=1e-5)
    assert not np.allclose(pred["y_pred"], s.x[s.n_train:s.n_train + s.n_test], atol=1e-3)


def test_bad_config_is_a_parameter_error():
    with pytest.raises(ParameterError):
        TrainConfig(model="gru").validate()
    with pytest.raises(ParameterError):
        TrainConfig(protocol="sideways").validate()
    for reg in (float("nan"), -1.0, float("inf")):
        with pytest.raises(ParameterError, match="activity_reg"):
            TrainConfig(activity_reg=reg).validate()
    with pytest.raises(ParameterError):
        fit(tiny("lif", window=40, horizon=300), series=small_series(), progress=False)


@pytest.mark.parametrize("residual", [False, True])
def test_output_filter_and_residual_hand_computed(residual):
    from mtcsn_hw.training.network import Forecaster

    net = Forecaster(PassThrough(), 1, out_tau=2.0, residual=residual)
    with torch.no_grad():
        net.readout.weight.fill_(1.0)
        net.readout.bias.zero_()
    a = np.exp(-1 / 2)
    x = torch.tensor([0.0, 1.0, 1.0, 1.0]).reshape(-1, 1, 1)
    with torch.no_grad():
        y = net(x).y[:, 0, 0].numpy()
        first = net(x[:2])
        rest = net(x[2:], first.state).y[:, 0, 0].numpy()
    expected = np.array([0.0, 1 - a, 1 - a**2, 1 - a**3]) + (x[:, 0, 0].numpy() if residual else 0)
    assert np.allclose(y, expected)
    assert np.allclose(np.concatenate([first.y[:, 0, 0].numpy(), rest]), y)


def test_activity_regulariser_lowers_activity():
    s = small_series()
    rates = []
    for reg in (0.0, 5.0):
        model, _, norm, _ = fit(tiny("lif", activity_reg=reg, iterations=20), series=s, progress=False)
        rates.append(metrics(predict(model, s, norm, "direct", 10), model.binary)["spike_rate"])
    assert rates[1] < 0.5 * rates[0], rates


def test_input_noise_is_seeded():
    s = small_series()
    a, *_ = fit(tiny("lif", iterations=3, input_noise=0.1), series=s, progress=False)
    b, *_ = fit(tiny("lif", iterations=3, input_noise=0.1), series=s, progress=False)
    c, *_ = fit(tiny("lif", iterations=3), series=s, progress=False)
    assert torch.equal(a.readout.weight, b.readout.weight)
    assert not torch.equal(a.readout.weight, c.readout.weight)


def test_on_step_sees_every_step_and_does_not_change_the_training():
    s = small_series()
    cfg = tiny("mtcsn", iterations=4, protocol="autoregressive", closed_loop=20, input_noise=0.1)
    seen = []

    def look(done, model, series, norm):  # evaluates (eval mode), as a snapshot picker does
        seen.append((done, model.readout.weight.detach().clone(), series is s))
        predict(model, series, norm, cfg.protocol, cfg.horizon)

    watched, *_ = fit(cfg, series=s, progress=False, on_step=look)
    plain, *_ = fit(cfg, series=s, progress=False)
    assert [d for d, _, _ in seen] == [1, 2, 3, 4] and all(same for _, _, same in seen)
    assert not torch.equal(seen[0][1], seen[-1][1])
    assert watched.training
    assert torch.equal(watched.readout.weight, plain.readout.weight)


def test_weight_average_ends_on_the_mean_of_the_last_steps():
    s = small_series()
    cfg = tiny("mtcsn", iterations=8, protocol="autoregressive", closed_loop=20, weight_average=0.25)
    seen = []
    averaged, *_ = fit(cfg, series=s, progress=False,
                       on_step=lambda done, model, *_: seen.append(model.readout.weight.detach().clone()))
    last, *_ = fit(tiny("mtcsn", iterations=8, protocol="autoregressive", closed_loop=20), series=s, progress=False)
    assert torch.equal(last.readout.weight, seen[-1])  # the same steps; only the end differs
    assert torch.allclose(averaged.readout.weight, (seen[-2] + seen[-1]) / 2, atol=1e-7)
    assert not torch.allclose(averaged.readout.weight, seen[-1])


def test_weight_decay_shrinks_the_synaptic_weights_only():
    """AdamW's first step is Adam's plus -lr * wd * p0, on the synapses only (the neurons' own parameters keep
    Adam's step)."""
    s, wd = small_series(), 0.5
    cfg = dict(iterations=1, protocol="autoregressive", closed_loop=20)
    plain, *_ = fit(tiny("mtcsn", **cfg), series=s, progress=False)
    decayed, *_ = fit(tiny("mtcsn", weight_decay=wd, **cfg), series=s, progress=False)
    start = build_model(tiny("mtcsn", **cfg))
    lr, shrunk = tiny("mtcsn").lr, set()
    for (name, p0), p, q in zip(start.named_parameters(), plain.parameters(), decayed.parameters(), strict=True):
        if name.rsplit(".", 1)[-1] in ("w_in", "w_rec", "weight"):
            assert torch.allclose(q - p, -lr * wd * p0, atol=1e-7), name
            shrunk.add(name)
        else:
            assert torch.equal(q, p), name
    assert shrunk == {"hidden.layer.w_in", "readout.weight"}


@pytest.mark.parametrize("bad", [-0.1, float("nan"), float("inf")])
def test_weight_decay_must_be_finite_and_not_negative(bad):
    with pytest.raises(ParameterError, match="weight_decay"):
        tiny("lif", weight_decay=bad).validate()


@pytest.mark.parametrize("bad", [-0.1, 1.5, float("nan")])
def test_weight_average_must_be_a_fraction(bad):
    with pytest.raises(ParameterError, match="weight_average"):
        tiny("lif", weight_average=bad).validate()
