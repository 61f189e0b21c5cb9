"""Calibration mathematics on synthetic chips: fits, re-tuning, records, measurement validation."""
import json
from dataclasses import replace

import numpy as np
import pytest
import torch

from mtcsn_hw import NeuronParams, simulate_neuron
from mtcsn_hw.calibration.fit_element import fit_element
from mtcsn_hw.calibration.iv_error import V_GRID, chip_iv_curves, iv_error
from mtcsn_hw.calibration.knobs import Knobs
from mtcsn_hw.calibration.measurements import Measurements
from mtcsn_hw.calibration.record import before_after, model_spikes, rhythm
from mtcsn_hw.calibration.retune import RetuneSettings, retune
from mtcsn_hw.calibration.synthetic import ChipDraws, Law, Spread, SyntheticChip, chip_trajectory
from mtcsn_hw.calibration.twin import dc_twin, fit_elements
from mtcsn_hw.circuit.mapping import Units
from mtcsn_hw.circuit.technology import for_level
from mtcsn_hw.errors import ParameterError
from mtcsn_hw.model.iv import iv_curves
from mtcsn_hw.model.stimulus import ou_current

BURSTING = NeuronParams.preset("bursting")
UNITS = Units(for_level("behavioral"))


def test_ou_current_has_its_stated_statistics_and_is_seeded():
    x = ou_current(200000.0, 0.5, -1.0, 0.4, 10.0, seed=3)
    assert x.mean() == pytest.approx(-1.0, abs=0.02)
    assert x.std() == pytest.approx(0.4, rel=0.03)
    lag = 20  # 10 time units = one tau
    r = np.corrcoef(x[:-lag], x[lag:])[0, 1]
    assert r == pytest.approx(np.exp(-1.0), abs=0.03)
    np.testing.assert_array_equal(x, ou_current(200000.0, 0.5, -1.0, 0.4, 10.0, seed=3))
    assert not np.array_equal(x, ou_current(200000.0, 0.5, -1.0, 0.4, 10.0, seed=4))


def test_fit_recovers_an_exact_tanh_law():
    v = np.linspace(-4, 4, 81)
    law = Law(-1.83, 0.37, 1.07, 0.11)
    f = fit_element("x", v, law.current(v), -2.0, 0.0)
    assert (f.a, f.d, f.s, f.c) == pytest.approx((-1.83, 0.37, 1.07, 0.11), abs=1e-7)
    assert f.rmse_fit < 1e-8 < f.rmse_raw
    raw = np.sqrt(np.mean((law.current(v) + 2 * np.tanh(v)) ** 2)) / 4.0
    assert f.rmse_raw == pytest.approx(raw, rel=1e-12)


def test_fitted_offsets_and_gains_recover_the_injected_ones_under_noise():
    injected, fitted, gains, fitted_gains = [], [], [], []
    for seed in range(15):  # 60 elements
        chip = SyntheticChip(BURSTING, ChipDraws.draw(BURSTING, Spread(), seed), UNITS, noise=0.01, seed=seed)
        fits = fit_elements(BURSTING, chip.measure(chip.nominal))
        for e in BURSTING.elements:
            draw = chip.draws.elements[e.name]
            injected.append(draw.offset)
            fitted.append(fits[e.name].d - float(e.delta))
            gains.append(draw.gain)
            fitted_gains.append(fits[e.name].a / float(e.alpha))
            assert fits[e.name].rmse_fit < fits[e.name].rmse_raw
            assert fits[e.name].rmse_fit == pytest.approx(0.01, rel=0.3)  # what is left is the noise
    assert len(injected) >= 50
    assert np.corrcoef(injected, fitted)[0, 1] >= 0.9
    assert np.corrcoef(gains, fitted_gains)[0, 1] >= 0.9


@pytest.mark.parametrize("current, message", [
    (np.zeros(41), "flat"),
    (np.where(np.arange(41) == 7, np.nan, np.tanh(np.linspace(-4, 4, 41))), "non-finite"),
])
def test_degenerate_curves_are_refused_with_one_line(current, message):
    with pytest.raises(ParameterError, match=message) as info:
        fit_element("fast-", np.linspace(-4, 4, 41), current, -2.0, 0.0)
    assert "\n" not in str(info.value)


@pytest.mark.parametrize("mutate, message", [
    (lambda d: d.update(format="other"), "format"),
    (lambda d: d["elements"]["fast-"].update(current=[1.0, 2.0]), "currents"),
    (lambda d: d["elements"]["fast-"]["v"].reverse(), "increasing"),
    (lambda d: d["filters"].update(s=-5.0), "positive"),
    (lambda d: d["runs"].update(driven={"stimulus": {"kind": "ou", "t_end": 10.0, "dt": 0.5}, "spike_times": []}),
     "sigma"),
    (lambda d: d["elements"]["fast-"].update(extra=1), "unknown"),
    (lambda d: d.update(membrane={"c": float("nan")}), "membrane capacitance"),
    (lambda d: d.update(membrane={"c": 1.0, "r": 2.0}), "membrane"),
])
def test_bad_measurements_give_one_line_errors(tmp_path, mutate, message):
    chip = SyntheticChip(BURSTING, ChipDraws.ideal(BURSTING), UNITS)
    data = json.loads(json.dumps(chip.measure(chip.nominal).to_dict()))
    mutate(data)
    path = tmp_path / "measurements.json"
    path.write_text(json.dumps(data))
    with pytest.raises(ParameterError, match=message) as info:
        Measurements.load(path)
    assert "\n" not in str(info.value)


def test_measurements_round_trip_through_json(tmp_path):
    runs = {"autonomous": {"kind": "constant", "t_end": 500.0, "dt": 0.5}}
    chip = SyntheticChip(BURSTING, ChipDraws.draw(BURSTING, Spread(), 1), UNITS, runs=runs, record_v=100.0)
    meas = chip.measure(chip.nominal)
    meas.save(tmp_path / "m.json")
    back = Measurements.load(tmp_path / "m.json")
    assert back.to_dict() == meas.to_dict() and back.membrane_c is None
    meas.membrane_c = 1.029
    meas.save(tmp_path / "m.json")
    assert Measurements.load(tmp_path / "m.json").membrane_c == 1.029


def test_ideal_chip_runs_the_models_discrete_map():
    chip = SyntheticChip(BURSTING, ChipDraws.ideal(BURSTING), UNITS)
    laws = chip.laws(chip.nominal)
    drive = np.full(4000, -2.0)
    v = chip_trajectory([laws[e.name] for e in BURSTING.elements], [0, 50, 50, 2500], BURSTING, drive, 0.5)
    ref = simulate_neuron(BURSTING, torch.tensor(drive), dt=0.5).v.numpy()
    np.testing.assert_allclose(v, ref, atol=1e-9)


def test_chip_iv_curves_are_the_models_when_the_chip_is_ideal():
    chip = SyntheticChip(BURSTING, ChipDraws.ideal(BURSTING), UNITS)
    fits = fit_elements(BURSTING, chip.measure(chip.nominal))
    ref = iv_curves(BURSTING, V_GRID)
    curves = chip_iv_curves(BURSTING, fits)
    for name in ("fast", "slow"):
        np.testing.assert_allclose(curves[name], ref[name].numpy(), atol=1e-6)
    assert iv_error(BURSTING, fits)["worst"] < 1e-6


def test_constant_currents_fold_exactly_into_i_app():
    draws = ChipDraws.ideal(BURSTING)
    draws = ChipDraws({k: type(d)(1.0, 0.0, 1.0, 0.04 * (-1) ** i, 0.0)
                       for i, (k, d) in enumerate(draws.elements.items())}, draws.filters)
    runs = {"autonomous": {"kind": "constant", "t_end": 6000.0, "dt": 0.5}}
    chip = SyntheticChip(BURSTING, draws, UNITS, runs=runs)
    meas = chip.measure(chip.nominal)
    twin = dc_twin(BURSTING, meas)
    expected = sum(0.04 * (-1) ** i * abs(float(e.alpha)) for i, e in enumerate(BURSTING.elements))
    assert twin.folded_i_app == pytest.approx(expected, abs=1e-6)
    np.testing.assert_allclose(model_spikes(twin.params, runs["autonomous"]), meas.runs["autonomous"].spike_times,
                               atol=1e-3)


@pytest.mark.parametrize("seed", range(5))
def test_retuning_reaches_one_percent_with_trim_and_reports_the_residual_without(seed):
    chip = SyntheticChip(BURSTING, ChipDraws.draw(BURSTING, Spread(), seed), UNITS, noise=0.002, seed=seed)
    with_trim = retune(BURSTING, chip.measure, chip.nominal, UNITS)
    assert with_trim.converged and with_trim.iterations <= 10
    assert with_trim.history[0]["iv_error"]["worst"] > 0.02 >= 0.01 >= with_trim.iv_error
    assert len(with_trim.history) == with_trim.iterations + 1 == len(chip._calls)
    # independent of the fits: the chip's own laws at the final knobs are close to the targets
    laws = chip.laws(with_trim.knobs)
    for e in BURSTING.elements:
        assert laws[e.name].a == pytest.approx(float(e.alpha), rel=0.02)
        assert laws[e.name].d == pytest.approx(float(e.delta), abs=0.03)
        assert abs(laws[e.name].c) < 0.01 * abs(float(e.alpha))
    for tag, tau in chip.taus(with_trim.knobs).items():
        assert tau == pytest.approx({"s": 50.0, "us": 2500.0}[tag], rel=0.01)
    table = with_trim.knobs.to_dict()
    assert set(table["elements"]) == {e.name for e in BURSTING.elements} and set(table["filters"]) == {"s", "us"}
    assert all(0 < b["i_b_A"] < 1e-8 and 0 < b["v_ref_V"] < 1.8 for b in table["elements"].values())


def test_without_trim_the_mirror_asymmetry_is_the_residual():
    stuck = 0
    for seed in range(5):
        draws = ChipDraws.draw(BURSTING, Spread(), seed)
        chip = SyntheticChip(BURSTING, draws, UNITS)
        no_trim = retune(BURSTING, chip.measure, chip.nominal, UNITS, RetuneSettings(trim=False))
        assert all(k.i_trim == 0.0 for k in no_trim.knobs.elements.values())
        assert no_trim.converged == (no_trim.iv_error <= 0.01)
        if not no_trim.converged:
            stuck += 1
            symmetric = ChipDraws({k: type(d)(d.gain, d.offset, d.slope, 0.0, d.exponent)
                                   for k, d in draws.elements.items()}, draws.filters)
            fixed = SyntheticChip(BURSTING, symmetric, UNITS)
            assert retune(BURSTING, fixed.measure, fixed.nominal, UNITS, RetuneSettings(trim=False)).converged
    assert stuck >= 2


def test_before_after_record_shows_calibration_helping():
    runs = {"driven": {"kind": "ou", "sigma": 1.0, "tau": 20.0, "seed": 1, "t_end": 20000.0, "dt": 0.5},
            "autonomous": {"kind": "constant", "t_end": 12500.0, "dt": 0.5}}
    chip = SyntheticChip(BURSTING, ChipDraws.draw(BURSTING, Spread(), 1), UNITS, runs=runs)
    result = retune(BURSTING, SyntheticChip(BURSTING, chip.draws, UNITS).measure, chip.nominal, UNITS)
    rec = before_after(BURSTING, chip.measure(chip.nominal), chip.measure(result.knobs), result.iterations)
    assert rec["iterations"] == result.iterations
    assert rec["after"]["iv_rmse"] < 0.01 < rec["before"]["iv_rmse"]
    assert rec["after"]["gamma"] > rec["before"]["gamma"]
    target = rhythm(model_spikes(BURSTING, runs["autonomous"]), 12500.0)
    after = rec["after"]["rhythm"]
    assert after["period"] == pytest.approx(target["period"], rel=0.1)
    assert after["intra_burst_isi"] == pytest.approx(target["intra_burst_isi"], rel=0.1)
    json.dumps(rec)


def test_rhythm_is_the_steady_bursts_without_the_start_up_or_a_cut_last_burst():
    start_up = np.arange(12) * 8.0                                   # a long first burst: the transient
    steady = [1000.0 * k + np.arange(5) * 10.0 for k in (1, 2, 3)]  # the limit cycle: 5 spikes, ISI 10
    last = 4000.0 + np.arange(2) * 10.0                             # a burst the run may cut short
    train = np.concatenate([start_up, *steady, last])
    assert rhythm(train, 4015.0) == {"spikes_per_burst": 5.0, "intra_burst_isi": 10.0, "period": 1000.0}
    # room after the last burst: it ended on its own and counts
    assert rhythm(train, 4500.0)["spikes_per_burst"] == pytest.approx(17 / 4)
    none = {"spikes_per_burst": None, "intra_burst_isi": None, "period": None}
    assert rhythm(np.arange(20) * 10.0, 300.0) == none                # tonic: no bursts
    assert rhythm(np.concatenate([start_up, 1000.0 + np.arange(3)]), 1500.0)["period"] is None


def test_trim_trade_shows_area_against_trim_range():
    from mtcsn_hw.calibration.trim_trade import trim_trade

    small, large = trim_trade(BURSTING, UNITS, scales=(0.5, 2.0), seeds=range(3))
    assert small["relative_area"] == 4.0 and large["relative_area"] == 0.25
    assert large["trim_current_A"]["max"] > small["trim_current_A"]["max"] > 0
    assert large["no_trim"]["median"] > small["no_trim"]["median"]
    assert small["trim"]["p95"] <= small["no_trim"]["p95"]


def test_retuning_learns_the_bias_to_gain_law_from_the_fits():
    draws = ChipDraws.draw(BURSTING, Spread(), 7)
    steep = ChipDraws({k: type(d)(d.gain, d.offset, d.slope, d.asymmetry, 0.4) for k, d in draws.elements.items()},
                      draws.filters)
    chip = SyntheticChip(BURSTING, steep, UNITS)
    result = retune(BURSTING, chip.measure, chip.nominal, UNITS, RetuneSettings(tol=1e-6, max_iter=4))
    learned = result.history[-1]["sensitivities"]["elements"]
    for e in BURSTING.elements:  # alpha ~ I_b^1.4: the secant finds the exponent the nominal law does not have
        assert learned[e.name]["gain"] == pytest.approx(1.4, rel=0.05)
        assert learned[e.name]["offset"] == pytest.approx(1.0, rel=0.05)
    laws = chip.laws(Knobs.from_dict(result.history[-1]["biases"]))   # where the learned law took the gains
    for e in BURSTING.elements:
        assert laws[e.name].a == pytest.approx(float(e.alpha), rel=1e-3)


def test_fit_separates_the_outputs_pull_with_a_held_sweep():
    """The main sweep moves input and output together, so the pull e only rescales it; the held sweep
    (input at rest, output moving) tells e, l and the slope apart."""
    from mtcsn_hw.calibration.fit_element import law

    v = np.linspace(-4, 4, 161)
    p = (-1.93, 0.21, 1.04, 0.03, 0.004, 0.009)
    held = {"v_in": -2.0, "v": v, "current": law(p, -2.0, v)}
    f = fit_element("x", v, law(p, v, v), -2.0, 0.0, held)
    assert (f.a, f.d, f.s, f.c, f.g_out, f.pull) == pytest.approx(p, abs=1e-6)
    # the conductance it adds at a held input is the held sweep's slope there
    assert f.conductance(-2.0) == pytest.approx(np.polyfit(v[75:86], held["current"][75:86], 1)[0], rel=1e-3)
    blind = fit_element("x", v, law(p, v, v), -2.0, 0.0)
    assert blind.pull == 0.0 and blind.s != pytest.approx(p[2], abs=1e-3)


def test_output_conductance_goes_to_the_twins_leak_and_the_leak_knob_takes_it_back():
    spread = Spread(gain=0, offset=0, slope=0, asymmetry=0, exponent=0, tau=0, conductance=0.01)
    chip = SyntheticChip(BURSTING, ChipDraws.draw(BURSTING, spread, 0), UNITS)
    total = sum(0.01 * abs(float(e.alpha)) for e in BURSTING.elements)
    twin = dc_twin(BURSTING, chip.measure(chip.nominal))
    assert twin.params.g == pytest.approx(float(BURSTING.g) + total, abs=1e-6)
    before = iv_error(BURSTING, fit_elements(BURSTING, chip.measure(chip.nominal)))["worst"]
    assert before > 0.01
    result = retune(BURSTING, chip.measure, chip.nominal, UNITS, RetuneSettings(tol=0.002))
    assert result.converged and result.iv_error <= 0.002
    g_leak = result.knobs.leak_g(BURSTING, UNITS)
    assert g_leak == pytest.approx(float(BURSTING.g) - total, rel=0.02)
    assert result.history[-1]["biases"]["leak"]["r_ohm"] == pytest.approx(UNITS.v0 / (g_leak * UNITS.i0))
    calibrated = dc_twin(BURSTING, result.measurements, g_leak)
    assert calibrated.params.g == pytest.approx(float(BURSTING.g), rel=0.02)
    fixed = retune(BURSTING, chip.measure, replace(chip.nominal, r_leak=None), UNITS, RetuneSettings(tol=0.002))
    assert not fixed.converged and fixed.iv_error > 0.01   # without the leak knob the slope stays


def test_the_tolerances_file_states_the_limits_the_code_judges_by():
    from pathlib import Path

    from mtcsn_hw.calibration import tolerances as T
    spec = json.loads((Path(__file__).resolve().parents[1] / "calibration" / "tolerances.json").read_text())
    assert spec["iv_rmse_max"] == {"fast": T.IV_RMSE_MAX, "slow": T.IV_RMSE_MAX}
    assert spec["intra_burst_isi_rel_max"] == spec["period_rel_max"] == T.RHYTHM_REL_MAX
    assert (spec["gamma_min_driven"], spec["gamma_min_twin"]) == (T.GAMMA_MIN_DRIVEN, T.GAMMA_MIN_TWIN)
    assert spec["spikes_per_burst"] == "equal" and spec["yield_min"] == T.YIELD_MIN


def test_verdicts_judge_each_target_and_skip_what_the_model_lacks():
    from mtcsn_hw.calibration.tolerances import verdicts
    model = {"spikes_per_burst": 7.0, "intra_burst_isi": 70.0, "period": 2500.0}
    good = verdicts(0.009, 0.85, {"spikes_per_burst": 7.0, "intra_burst_isi": 72.0, "period": 2430.0}, model)
    assert good == dict.fromkeys(good, True)
    bad = verdicts(0.011, 0.79, {"spikes_per_burst": 7.5, "intra_burst_isi": 72.2, "period": 2580.0}, model)
    assert bad == dict.fromkeys(bad, False)
    silent = verdicts(0.0, None, dict.fromkeys(model), model)
    assert silent["gamma_ok"] is None and not any(silent[k] for k in ("spikes_per_burst_equal", "period_ok"))
    tonic = verdicts(0.0, 0.9, dict.fromkeys(model), dict.fromkeys(model))
    assert tonic["spikes_per_burst_equal"] is tonic["intra_burst_isi_ok"] is tonic["period_ok"] is None


def test_gamma_leaves_the_washout_out():
    from mtcsn_hw.calibration.record import gamma
    steady = 1000.0 + np.arange(100) * 37.0
    model = np.concatenate([[50.0, 300.0, 600.0], steady])
    chip = np.concatenate([[120.0, 420.0, 800.0, 900.0], steady])   # a different start-up, the same train after
    full, _ = gamma(model, chip, 5000.0)
    washed, window = gamma(model, chip, 5000.0, washout=1000.0 - 1e-9)
    assert washed == pytest.approx(1.0) and full < 0.97
    assert window == pytest.approx(0.05 * 37.0)


def test_retuning_aims_inside_the_tolerance_and_ends_on_its_best_iteration():
    chip = SyntheticChip(BURSTING, ChipDraws.draw(BURSTING, Spread(), 7), UNITS)
    loose = retune(BURSTING, chip.measure, chip.nominal, UNITS, RetuneSettings(guard=1.0))
    guarded = retune(BURSTING, chip.measure, chip.nominal, UNITS, RetuneSettings(guard=0.5))
    errors = [h["iv_error"]["all"] for h in guarded.history]
    assert loose.converged and guarded.converged
    assert guarded.iterations >= loose.iterations
    assert min(errors) <= max(0.005, errors[loose.iterations])       # it went on toward the guard band
    best = min(range(len(errors)), key=errors.__getitem__)
    assert guarded.chosen == best and guarded.knobs == Knobs.from_dict(guarded.history[best]["biases"])
    assert guarded.iv_error == guarded.history[best]["iv_error"]["worst"]
    with pytest.raises(ParameterError, match="guard"):
        retune(BURSTING, chip.measure, chip.nominal, UNITS, RetuneSettings(guard=0.0))
