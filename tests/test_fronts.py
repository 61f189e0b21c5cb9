import numpy as np
import pytest
import torch

from mtcsn_hw.baselines.lif import LIFLayer
from mtcsn_hw.errors import ParameterError
from mtcsn_hw.tasks.forecasting import fit_samples, validation_split
from mtcsn_hw.tasks.mackey_glass import MackeyGlassSeries, neurobench_series
from mtcsn_hw.tasks.metrics import synop_energy_pj
from mtcsn_hw.training.config import TrainConfig
from mtcsn_hw.training.evaluate import predict
from mtcsn_hw.training.fronts_report import claim_text, comparisons, markdown, summary
from mtcsn_hw.training.loop import build_model, fit
from mtcsn_hw.training.pareto import pareto_front, summarise


def tiny(**kw):
    base = dict(model="lif", horizon=10, n_hidden=8, iterations=3, batch=4, window=60, washout=10, lr=2e-2)
    return TrainConfig(**{**base, **kw})


def test_validation_split_holds_out_the_tail_targets():
    assert fit_samples(750, 0.2) == 600
    assert validation_split(750, 0.2, "direct", 75) == (525, 675)       # targets x(600) ... x(749)
    assert validation_split(750, 0.2, "autoregressive", 75) == (600, 750)
    with pytest.raises(ParameterError):
        validation_split(750, 0.0, "direct", 75)
    with pytest.raises(ParameterError):
        tiny(val_fraction=1.0).validate()


def test_training_never_reads_the_validation_tail():
    s = neurobench_series(train_lyap=4, test_lyap=1, extra=10)
    n_fit = fit_samples(s.n_train, 0.2)
    x = s.x.copy()
    x[n_fit:s.n_train] = x[n_fit:s.n_train][::-1]   # same mean and std: the normaliser is unchanged
    shuffled = MackeyGlassSeries(t=s.t, x=x, n_train=s.n_train, n_test=s.n_test, sample_dt=s.sample_dt)
    a, *_ = fit(tiny(val_fraction=0.2), series=s, progress=False)
    b, *_ = fit(tiny(val_fraction=0.2), series=shuffled, progress=False)
    c, *_ = fit(tiny(), series=s, progress=False)
    d, *_ = fit(tiny(), series=shuffled, progress=False)
    assert torch.equal(a.readout.weight, b.readout.weight)
    assert not torch.equal(c.readout.weight, d.readout.weight)


@pytest.mark.parametrize("protocol", ["direct", "autoregressive"])
def test_prediction_span_matches_the_test_prediction(protocol):
    s = neurobench_series(train_lyap=4, test_lyap=1, extra=10)
    model, _, norm, _ = fit(tiny(protocol=protocol, iterations=1), series=s, progress=False)
    full = predict(model, s, norm, protocol, 10)
    span = predict(model, s, norm, protocol, 10, span=(s.n_train, s.n_train + s.n_test))
    assert np.array_equal(full["y_pred"], span["y_pred"]) and np.array_equal(full["y_true"], span["y_true"])
    n0, n1 = validation_split(s.n_train, 0.2, protocol, 10)
    val = predict(model, s, norm, protocol, 10, span=(n0, n1))
    h = 10 if protocol == "direct" else 0
    assert np.array_equal(val["y_true"], s.x[n0 + h:n1 + h]) and len(val["y_pred"]) == n1 - n0


def test_lif_threshold_sets_the_firing_rate():
    x = torch.full((200, 1, 1), 0.3)
    rates = []
    for th in (0.5, 1.0, 2.0):
        layer = LIFLayer(1, 4, threshold=th, generator=torch.Generator().manual_seed(0))
        with torch.no_grad():
            layer.w_in.fill_(1.0)
        rates.append(float(layer(x)[1].float().mean()))
    assert rates[0] > rates[1] > rates[2] > 0


def test_synop_energy_weights_macs_over_acs():
    assert synop_energy_pj(10, 0) == pytest.approx(9.0)
    assert synop_energy_pj(0, 10) == pytest.approx(46.0)


def _record(trial, model, seed, smape, rate):
    m = {"smape": smape, "nrmse": smape / 20, "spike_rate": rate, "nonzero_fraction": rate,
         "synops_effective_acs": 0.0, "synops_effective_macs": 48.0, "synops_energy_pj": 48 * 4.6 + rate}
    return {"trial": trial, "model": model, "protocol": "direct", "seed": seed, "overrides": {},
            "val": m, "test": {**m, "smape": smape + 1}}


def test_pareto_front_and_paired_ratios():
    recs = []
    for seed, k in ((0, 1.0), (1, 2.0)):
        recs += [_record("lif a", "lif", seed, 12.0, 0.10 * k), _record("lif b", "lif", seed, 14.0, 0.05),
                 _record("m dense", "mtcsn", seed, 10.0, 0.05), _record("m sparse", "mtcsn", seed, 11.5, 0.01 * k),
                 _record("m bad", "mtcsn", seed, 13.0, 0.02 * k)]
    trials = summarise(recs)
    mt = [t for t in trials if t.model == "mtcsn"]
    assert [t.name for t in pareto_front(mt, "spike_rate")] == ["m sparse", "m dense"]
    cmp = comparisons(trials)
    c = cmp["at_reference_smape"]["spike_rate"]
    assert cmp["reference"]["trial"] == "lif a" and c["point"] == "m sparse"
    assert c["ratio"]["mean"] == pytest.approx(10.0) and c["ratio"]["std"] == pytest.approx(0.0)
    g = cmp["at_reference_activity"]["spike_rate"]
    assert g["point"] == "m dense" and g["smape_gain"]["mean"] == pytest.approx(2.0)
    assert "m sparse" in markdown(trials)


def test_the_shipped_fidelity_comparison_reads_only_its_mtcsn_trials():
    recs = []
    for seed in (0, 1):
        twin = _record("m twin", "mtcsn", seed, 11.8, 0.02)
        twin["overrides"] = {"layer": {"substeps": 32}}
        recs += [_record("lif a", "lif", seed, 12.0, 0.10), _record("m one-step", "mtcsn", seed, 11.5, 0.01), twin]
    data = summary(summarise(recs), ship_substeps=32)
    assert data["vs_lif"]["at_reference_smape"]["spike_rate"]["point"] == "m one-step"
    ship = data["vs_lif_at_ship_fidelity"]
    assert ship["at_reference_smape"]["spike_rate"]["point"] == "m twin"
    assert ship["at_reference_smape"]["spike_rate"]["ratio"]["mean"] == pytest.approx(5.0)
    assert "among those run" in claim_text(ship, "LIF", " among those run")


def test_repeats_table_counts_repeats_below_the_lstm():
    from mtcsn_hw.training.fronts_report import repeats_markdown
    recs = [_record("m", "mtcsn", r, s, 0.01) for r, s in enumerate((10.0, 11.0, 15.0, 30.0))]  # test = s + 1
    recs += [_record("l", "lif", r, 20.0, 0.1) for r in range(2)]
    rows = repeats_markdown(summarise(recs)).splitlines()
    m = next(r for r in rows if r.startswith("| MTCSN"))
    assert "| 4 |" in m and "2 of 4" in m and "| 14.00 |" in m and "11.00–31.00" in m and "17.50 ± 9.26" in m
    assert "0 of 2" in next(r for r in rows if r.startswith("| LIF"))


@pytest.mark.parametrize("model_name", ["mtcsn", "lif"])
def test_closed_loop_run_feeds_back_its_predictions(model_name):
    from mtcsn_hw.training.closed_loop import closed_loop_run, free_steps_at

    model = build_model(tiny(model=model_name, protocol="autoregressive"))
    x = torch.randn(30, 2, 1, generator=torch.Generator().manual_seed(0))
    with torch.no_grad():
        y0, h0 = closed_loop_run(model, x, 0)
        assert torch.equal(y0, model(x).y) and torch.equal(h0, model(x).hidden)
        y, _ = closed_loop_run(model, x, 5)
        fed = x.clone()
        fed[25:] = y[24:29]            # the inputs the free-running steps saw: the previous predictions
        assert torch.allclose(model(fed).y, y, atol=1e-5)
        assert not torch.allclose(y[25:], y0[25:])
    assert [free_steps_at(i, 10, 20) for i in (0, 4, 9)] == [4, 20, 20]
    with pytest.raises(ParameterError):
        tiny(closed_loop=5).validate()   # direct protocol


def test_feedback_noise_perturbs_only_the_fed_back_predictions():
    from mtcsn_hw.training.closed_loop import closed_loop_run, feedback_noise

    model = build_model(tiny(protocol="autoregressive"))
    x = torch.randn(30, 2, 1, generator=torch.Generator().manual_seed(0))
    noise = feedback_noise(0.3, 5, 2, np.random.default_rng(1))
    assert noise.shape == (5, 2, 1) and 0.1 < noise.std() < 0.6
    assert feedback_noise(0.0, 5, 2, np.random.default_rng(1)) is None
    with torch.no_grad():
        clean, _ = closed_loop_run(model, x, 5)
        y, _ = closed_loop_run(model, x, 5, noise)
        fed = x.clone()
        fed[25:] = y[24:29] + noise    # each free step saw the previous prediction plus its noise
        assert torch.allclose(model(fed).y, y, atol=1e-5)
        assert torch.equal(y[:25], clean[:25]) and not torch.allclose(y[25:], clean[25:])
    s = neurobench_series(train_lyap=4, test_lyap=1, extra=10)
    ar = dict(protocol="autoregressive", closed_loop=20, input_noise=0.1)
    a, *_ = fit(tiny(**ar, feedback_noise=0.1), series=s, progress=False)
    b, *_ = fit(tiny(**ar, feedback_noise=0.1), series=s, progress=False)
    plain, *_ = fit(tiny(**ar), series=s, progress=False)
    assert torch.equal(a.readout.weight, b.readout.weight)
    assert not torch.equal(a.readout.weight, plain.readout.weight)
    for bad in (dict(ar, feedback_noise=float("nan")), dict(ar, feedback_noise=-0.1),
                dict(protocol="autoregressive", feedback_noise=0.1)):
        with pytest.raises(ParameterError):
            tiny(**bad).validate()


def test_annealed_input_noise_falls_along_a_cosine_to_zero():
    from mtcsn_hw.training.loop import input_noise_at

    stds = [input_noise_at(k, 9, 0.2, True) for k in range(9)]
    assert stds[0] == pytest.approx(0.2) and stds[4] == pytest.approx(0.1)
    assert stds[-1] == pytest.approx(0, abs=1e-12)
    assert all(a > b for a, b in zip(stds, stds[1:], strict=False))
    assert [input_noise_at(k, 9, 0.2, False) for k in range(9)] == [0.2] * 9
    s = neurobench_series(train_lyap=4, test_lyap=1, extra=10)
    ar = dict(protocol="autoregressive", closed_loop=20, input_noise=0.1)
    a, *_ = fit(tiny(**ar, noise_anneal=True), series=s, progress=False)
    b, *_ = fit(tiny(**ar, noise_anneal=True), series=s, progress=False)
    plain, *_ = fit(tiny(**ar), series=s, progress=False)
    assert torch.equal(a.readout.weight, b.readout.weight)
    assert not torch.equal(a.readout.weight, plain.readout.weight)
    for bad in (dict(ar, noise_anneal=1), dict(protocol="autoregressive", noise_anneal=True),
                dict(ar, input_noise=float("nan")), dict(ar, input_noise=-0.1)):
        with pytest.raises(ParameterError):
            tiny(**bad).validate()


def test_drawn_loop_lengths_cover_their_range_and_leave_the_windows_alone():
    from mtcsn_hw.training.closed_loop import free_lengths

    drawn = free_lengths(30, 400, 10, seed=3)
    assert drawn.min() == 10 and drawn.max() == 30 and len(set(drawn)) == 21
    assert np.array_equal(drawn, free_lengths(30, 400, 10, seed=3))
    assert not np.array_equal(drawn, free_lengths(30, 400, 10, seed=4))
    assert np.array_equal(free_lengths(30, 5, None, seed=3), [30] * 5)
    s = neurobench_series(train_lyap=4, test_lyap=1, extra=10)
    ar = dict(protocol="autoregressive", closed_loop=20, input_noise=0.1)
    fixed, *_ = fit(tiny(**ar), series=s, progress=False)
    same, *_ = fit(tiny(**ar, closed_loop_min=20), series=s, progress=False)   # the draw is always 20
    mixed, *_ = fit(tiny(**ar, closed_loop_min=5), series=s, progress=False)
    assert torch.equal(fixed.readout.weight, same.readout.weight)
    assert not torch.equal(fixed.readout.weight, mixed.readout.weight)


@pytest.mark.parametrize("bad", [dict(closed_loop_min=25), dict(closed_loop_min=-1), dict(closed_loop_min=5.0),
                                 dict(closed_loop_min=5, closed_loop=0)])
def test_loop_length_range_must_lie_inside_the_loop(bad):
    with pytest.raises(ParameterError, match="closed_loop_min"):
        tiny(**{"protocol": "autoregressive", "closed_loop": 20, **bad}).validate()


def test_trials_keep_their_meaning_when_the_shipped_defaults_move():
    """A trial without a regulariser trains without one, whatever the shipped model's weight is."""
    from mtcsn_hw.training.config import DEFAULT_ACTIVITY_REG
    from mtcsn_hw.training.fronts import AR_TRIALS, TRIALS
    assert DEFAULT_ACTIVITY_REG["mtcsn"] > 0   # else this test checks nothing
    for trial in TRIALS + AR_TRIALS:
        assert trial.config(0).activity_reg == trial.overrides.get("activity_reg", 0.0), trial.name


def test_run_trial_keeps_its_checkpoint_where_checkpoint_dir_says(tmp_path):
    from mtcsn_hw.training.checkpoint import load_checkpoint
    from mtcsn_hw.training.fronts import Trial, checkpoint_dir, run_trial
    torch.set_num_threads(1)
    rec = run_trial(Trial("tiny lif", "lif", {"iterations": 2, "n_hidden": 4, "batch": 2}), 3, save_dir=tmp_path)
    path = checkpoint_dir(tmp_path, "tiny lif", 3)
    assert path == tmp_path / "tiny-lif-s3"
    assert load_checkpoint(path).metrics["smape"] == pytest.approx(rec["test"]["smape"])


def test_neurobench_repeats_shift_the_series_half_a_lyapunov_time_each(tmp_path):
    from mtcsn_hw.training.checkpoint import load_checkpoint
    from mtcsn_hw.training.fronts import Trial, checkpoint_dir, repeat_offset, run_sweep
    assert [repeat_offset(r) for r in range(4)] == [0, 37, 75, 112]   # NeuroBench: int(0.5 r * 75)
    trial = Trial("tiny lif", "lif", {"iterations": 2, "n_hidden": 4, "batch": 2}, "autoregressive")
    recs = run_sweep(tmp_path / "r.json", [trial], [0, 2], log=lambda m: None, save_dir=tmp_path, repeats=True)
    assert [(r["seed"], r["start_offset"]) for r in recs] == [(0, 0), (2, 75)]
    base = neurobench_series().x
    for seed, offset in ((0, 0), (2, 75)):
        ck = load_checkpoint(checkpoint_dir(tmp_path, "tiny lif", seed))
        assert ck.config.start_offset == offset
        np.testing.assert_allclose(ck.series.x[:1400], base[offset:offset + 1400], rtol=0, atol=1e-12)
    with pytest.raises(ParameterError):
        tiny(start_offset=-1).validate()
    with pytest.raises(ParameterError):
        tiny(start_offset=37.5).validate()


@pytest.mark.parametrize("model_name", ["mtcsn", "lif"])
def test_noisy_mean_forecast_averages_noisy_free_runs(model_name):
    from mtcsn_hw.training.noisy_mean import noisy_mean_forecast

    s = neurobench_series(train_lyap=2, test_lyap=1, extra=10)
    model, series, norm, _ = fit(tiny(model=model_name, protocol="autoregressive", closed_loop=20), series=s,
                                 progress=False)
    plain = predict(model, series, norm, "autoregressive", 1)["y_pred"]
    assert np.allclose(noisy_mean_forecast(model, series, norm, 1, 0.0), plain, atol=1e-6)
    assert np.allclose(noisy_mean_forecast(model, series, norm, 4, 0.0), plain, atol=1e-6)  # four equal runs
    a = noisy_mean_forecast(model, series, norm, 4, 0.1, seed=1)
    assert np.array_equal(a, noisy_mean_forecast(model, series, norm, 4, 0.1, seed=1))
    one = [noisy_mean_forecast(model, series, norm, 1, 0.1, seed=k) for k in range(2)]
    assert not np.allclose(a, plain) and not np.allclose(one[0], one[1])
    for runs, noise in ((0, 0.1), (2.0, 0.1), (2, float("nan")), (2, -1.0)):
        with pytest.raises(ParameterError):
            noisy_mean_forecast(model, series, norm, runs, noise)
