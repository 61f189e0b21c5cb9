"""Measurement benches on real ngspice (behavioural cells and sky130 transistors): what they measure against
closed-form references (the tanh law the mapping writes, tau = C V0 / I_tau, a reference shift of one V0
moving the centre by one model unit, an injected threshold shift appearing as the OTA's offset)."""
from dataclasses import replace

import numpy as np
import pytest

from mtcsn_hw.calibration.chip_bench import make_chip
from mtcsn_hw.calibration.chip_job import _Measurer
from mtcsn_hw.calibration.fit_element import fit_element
from mtcsn_hw.calibration.iv_error import chip_iv_curves
from mtcsn_hw.calibration.knobs import nominal_knobs
from mtcsn_hw.calibration.measure_elements import measure_elements
from mtcsn_hw.calibration.measure_filters import measure_filters
from mtcsn_hw.calibration.measure_iv import measure_iv
from mtcsn_hw.calibration.measure_membrane import measure_membranes
from mtcsn_hw.calibration.measurements import Measurements
from mtcsn_hw.calibration.retune import retune
from mtcsn_hw.calibration.twin import dc_twin
from mtcsn_hw.circuit.build import units_for
from mtcsn_hw.circuit.compare import iv_rmse
from mtcsn_hw.circuit.devices import apply_device_params
from mtcsn_hw.circuit.mismatch import load_spec
from mtcsn_hw.model.params import NeuronParams

BURSTING = NeuronParams.preset("bursting")
TONIC = NeuronParams.preset("tonic")


def test_element_sweeps_of_two_neurons_in_one_run_follow_the_tanh_law():
    neurons = [BURSTING, TONIC.with_element("fast-", alpha=-2.5, delta=0.3)]
    chip = make_chip(neurons, units_for("behavioral"), None, None)
    sweeps = measure_elements(chip, [0, 1])
    for k, p in enumerate(neurons):
        for e in p.elements:
            s = sweeps[k][e.name]
            expected = e.alpha * np.tanh(s.v - e.delta)
            assert np.max(np.abs(s.current - expected)) < 2e-3 * abs(e.alpha)


def test_knobs_move_the_measured_element_as_their_laws_say():
    u = units_for("behavioral")
    chip = make_chip([BURSTING], u, None, None)
    knobs = nominal_knobs(BURSTING, u)
    fast = knobs.elements["fast-"]
    moved = knobs.with_element("fast-", i_b=fast.i_b * 1.2, v_ref=fast.v_ref + u.volts_delta(0.5), i_trim=0.1e-9)
    s = measure_elements(chip, [0], {0: moved})[0]["fast-"]
    f = fit_element("fast-", s.v, s.current, -2.0, 0.0)
    assert f.a == pytest.approx(-2.4, rel=2e-3)
    assert f.d == pytest.approx(0.5, abs=5e-3)
    assert f.c == pytest.approx(0.1, abs=2e-3)  # the trim current, outward, in units of I0


def test_filter_taus_and_iv_curves_of_the_nominal_behavioural_neuron():
    chip = make_chip([BURSTING], units_for("behavioral"), None, None)
    taus = measure_filters(chip, [0])[0]
    assert taus["s"] == pytest.approx(50.0, rel=0.01)
    assert taus["us"] == pytest.approx(2500.0, rel=0.01)
    iv = measure_iv(chip, [0])[0]
    assert iv["iv_rmse"] < 2e-3
    assert iv["fast"]["rmse"] < 2e-3 and iv["ultraslow"]["rmse"] < 2e-3


def test_membrane_capacitance_is_measured_from_its_step_response():
    # tau_m = R C of the mapped membrane: c as mapped on one neuron, a mismatched capacitor (x1.1) on the other
    # and a membrane without a leak (g = 0: a plain capacitor, read from its ramp)
    other = NeuronParams.from_dict({**BURSTING.to_dict(), "c": 2.0, "g": 1.5})
    no_leak = NeuronParams.from_dict({**BURSTING.to_dict(), "c": 0.5, "g": 0.0})
    chip = make_chip([BURSTING, other, no_leak], units_for("behavioral"), None, None)
    chip = replace(chip, bench=apply_device_params(chip.bench, {"Xmem_1/C1": {"scale": 1.1}}))
    got = measure_membranes(chip, [0, 1, 2])
    assert got[0] == pytest.approx(1.0, rel=2e-3)
    assert got[1] == pytest.approx(2.0 * 1.1, rel=2e-3)
    assert got[2] == pytest.approx(0.5, rel=2e-3)


def test_transistor_membrane_carries_its_devices_capacitance_into_the_twin():
    chip = make_chip([BURSTING], units_for("transistor"), None, None)
    c = measure_membranes(chip, [0])[0]
    assert 1.005 < c < 1.1          # the OTAs' outputs and the inputs reading vm add to the 1 pF capacitor
    sweeps, taus = measure_elements(chip, [0])[0], measure_filters(chip, [0])[0]
    assert dc_twin(BURSTING, Measurements(sweeps, taus, membrane_c=c)).params.c == c
    assert dc_twin(BURSTING, Measurements(sweeps, taus)).params.c == BURSTING.c


def test_a_filter_bias_knob_scales_tau_inversely():
    u = units_for("behavioral")
    chip = make_chip([TONIC], u, None, None)
    knobs = nominal_knobs(TONIC, u)
    taus = measure_filters(chip, [0], {0: knobs.with_filter("s", knobs.filters["s"] * 1.25)})[0]
    assert taus["s"] == pytest.approx(50.0 / 1.25, rel=0.01)


def test_injected_pair_threshold_shift_is_the_transistor_otas_fitted_offset():
    u = units_for("transistor")
    chip = make_chip([TONIC], u, None, None)
    nominal = measure_elements(chip, [0])[0]
    shifted = chip.__class__(chip.neurons, u, apply_device_params(chip.bench, {"Xe_0_fast_m/M1": {"delvto": 0.005}}))
    moved = measure_elements(shifted, [0])[0]
    d0 = fit_element("fast-", nominal["fast-"].v, nominal["fast-"].current, -2.0, 0.0).d
    d1 = fit_element("fast-", moved["fast-"].v, moved["fast-"].current, -2.0, 0.0).d
    # regenerative element: V+ = V_x, so a higher V_T on M1 moves the centre up by delvto / V0
    assert u.volts_delta(d1 - d0) == pytest.approx(0.005, abs=3e-4)
    s0 = fit_element("slow+", nominal["slow+"].v, nominal["slow+"].current, 2.0, 0.0).d
    s1 = fit_element("slow+", moved["slow+"].v, moved["slow+"].current, 2.0, 0.0).d
    assert abs(s1 - s0) < 1e-3  # another OTA's devices: untouched


def test_transistor_element_fits_predict_the_measured_iv_curves():
    """With the outputs moving (and the held sweep), the element fits see what the I-V curves see: the OTAs'
    output pull on the membrane. The fits alone (no held sweep) miss it on the curves with held elements."""
    u = units_for("transistor")
    chip = make_chip([BURSTING], u, None, None)
    sweeps = measure_elements(chip, [0])[0]
    iv = measure_iv(chip, [0])[0]
    fits = {e.name: fit_element(e.name, sweeps[e.name].v, sweeps[e.name].current, e.alpha, e.delta,
                                sweeps[e.name].held) for e in BURSTING.elements}
    blind = {e.name: fit_element(e.name, sweeps[e.name].v, sweeps[e.name].current, e.alpha, e.delta)
             for e in BURSTING.elements}
    seen, missed = chip_iv_curves(BURSTING, fits, iv["v"]), chip_iv_curves(BURSTING, blind, iv["v"])
    for name in ("fast", "slow"):
        measured = iv[name]["circuit"]
        assert iv_rmse(iv["v"], measured, seen[name]) < 1e-3
    assert iv_rmse(iv["v"], iv["fast"]["circuit"], missed["fast"]) > 3e-3
    # the output pulls like a conductance where the input is held (rest); a finite-gain pair pulls strongest at
    # balance, so its pull shows on the elements held near theirs (the held sweep of a saturated one hardly tells it)
    rest = sweeps["fast-"].held["v_in"]
    for e in BURSTING.elements:
        f = fits[e.name]
        assert f.conductance(rest) > 5e-4
        if abs(rest - e.delta) < 1:
            assert f.pull > 0 and f.conductance(f.d) > f.conductance(f.d + 2.0)


def test_behavioural_elements_have_no_output_pull():
    chip = make_chip([BURSTING], units_for("behavioral"), None, None)
    sweeps = measure_elements(chip, [0])[0]
    for e in BURSTING.elements:
        f = fit_element(e.name, sweeps[e.name].v, sweeps[e.name].current, e.alpha, e.delta, sweeps[e.name].held)
        assert abs(f.conductance(sweeps[e.name].held["v_in"])) < 1e-4


def test_a_mismatched_transistor_chip_retunes_to_one_percent_on_its_measured_iv_curves():
    u = units_for("transistor")
    chip = make_chip([BURSTING], u, load_spec("sky130"), 3)
    before = measure_iv(chip, [0])[0]
    first = Measurements(measure_elements(chip, [0])[0], measure_filters(chip, [0])[0])
    tune = retune(BURSTING, _Measurer(chip, 0, first), nominal_knobs(BURSTING, u), u)
    after = measure_iv(chip, [0], {0: tune.knobs})[0]
    assert before["iv_rmse"] > 0.05
    assert after["fast"]["rmse"] <= 0.01 and after["slow"]["rmse"] <= 0.01
    assert tune.iterations <= 10
    assert tune.knobs.r_leak != pytest.approx(nominal_knobs(BURSTING, u).r_leak, rel=1e-3)
