"""The report's pure parts against hand-made inputs with known answers."""
from __future__ import annotations

import json

import numpy as np
import pytest

from mtcsn_hw.errors import ParameterError
from mtcsn_hw.report.calibration_folder import check_matches, history_series, read_calibration
from mtcsn_hw.report.checks import check, overall
from mtcsn_hw.report.energy import published_conversion, supply_measurement
from mtcsn_hw.report.html_page import format_value, si
from mtcsn_hw.report.spike_agreement import compare_trains, train_stats


def test_engineering_format():
    assert si(2.66e-8, "W") == "26.6 nW"
    assert si(7.18e7, "Ω") == "71.8 MΩ"
    assert si(0.9e-12, "J") == "900 fJ"
    assert si(1.0, "V") == "1 V"
    assert format_value(0.01234, "pct:2") == "1.23 %"
    assert format_value(None, ".3f") == "n/a"
    assert format_value(15.5777, ".2f") == "15.58"


def test_burst_rhythm_of_a_synthetic_train():
    # 5 bursts of 4 spikes, intra-burst ISI 10, burst period 200
    spikes = np.concatenate([b * 200 + np.arange(4) * 10.0 for b in range(5)])
    s = train_stats(spikes, 0, 1000)
    assert s["regime"] == "bursting"
    assert s["spikes_per_burst"] == 4 and s["intra_burst_isi"] == pytest.approx(10)
    assert s["burst_period"] == pytest.approx(200)
    same = compare_trains(spikes, spikes, 0, 1000)
    assert same["gamma"] == 1.0 and same["van_rossum"] == 0.0 and same["victor_purpura"] == 0.0
    assert same["gamma_window"] == pytest.approx(0.05 * 10)            # 5 % of the median ISI
    shifted = compare_trains(spikes, spikes + 3.0, 0, 1000)            # beyond the window: no coincidences
    assert shifted["gamma"] < 0.1
    assert shifted["victor_purpura"] == pytest.approx(20 * 2.0)        # shifting costs more than delete + insert


def test_supply_measurement_separates_static_from_spike_charge():
    t = np.linspace(0, 1.0, 100001)
    static = 10e-9
    i = np.full_like(t, static)
    spikes = np.arange(0.1, 1.0, 0.1)
    for s in spikes:                                   # a 1 ms, 5 nA pulse per spike: 5 pC each
        i[(t >= s) & (t < s + 1e-3)] += 5e-9
    m = supply_measurement(t, t, i, 1.8, 0.0, len(spikes), 2)
    assert m["static_current_a"] == pytest.approx(static)
    assert m["static_power_per_neuron_w"] == pytest.approx(static * 1.8 / 2)
    assert m["dynamic_energy_per_spike_j"] == pytest.approx(1.8 * 5e-9 * 1e-3, rel=0.02)
    assert m["energy_j"] == pytest.approx(1.8 * (static * 1.0 + len(spikes) * 5e-12), rel=0.01)


def test_published_conversion_prices_operations():
    act = {"spike_events_per_step": 2.0, "neurons": 10, "synops_effective": 30.0, "synops_effective_acs": 10.0,
           "synops_effective_macs": 20.0}
    c = published_conversion(act)
    assert c["arithmetic_45nm_j_per_step"] == pytest.approx(10 * 0.9e-12 + 20 * 4.6e-12)
    assert c["loihi_j_per_step"] == pytest.approx(30 * 23.6e-12 + 2 * 81e-12 + 8 * 52e-12 + 2 * 1.7e-12)


def test_checks_pass_fail_and_not_available():
    assert check("x", 0.5, lo=0.8)["status"] == "FAIL"
    assert check("x", 0.9, lo=0.8, hi=1.1)["status"] == "PASS"
    assert check("x", None, lo=0.8)["status"] == "n/a"
    assert overall([check("a", None, lo=1), check("b", 2, lo=1)]) == "PASS"
    assert overall([check("a", 0, lo=1), check("b", 2, lo=1)]) == "FAIL"


def test_calibration_folder_reader(tmp_path):
    with pytest.raises(ParameterError, match="not a calibration folder"):
        read_calibration(tmp_path)
    chip = tmp_path / "chips" / "chip-3"
    chip.mkdir(parents=True)
    (tmp_path / "run.json").write_text(json.dumps({"source": "preset:bursting"}))
    (chip / "history.json").write_text(json.dumps({"iterations": [{"iv_rmse": {"fast": 0.04}, "loss": 2},
                                                                  {"iv_rmse": {"fast": 0.01}, "loss": 1}]}))
    c = read_calibration(tmp_path)
    check_matches(c, "preset:bursting", 1)
    with pytest.raises(ParameterError, match="is for preset:bursting"):
        check_matches(c, "preset:tonic", 1)
    assert history_series(c["chips"][0]["history"]) == {"iv_rmse_fast": [0.04, 0.01], "loss": [2.0, 1.0]}
    assert "summary.json" in c["missing"] and any("result.json" in m for m in c["missing"])


def test_the_report_reads_the_engines_own_chip_results():
    """calibration/records holds a real `calibrate` folder: its numbers reach the report's chip table."""
    import json
    from pathlib import Path

    from mtcsn_hw.report.calibration_folder import read_calibration
    from mtcsn_hw.report.calibration_view import chip_rows
    folder = Path(__file__).resolve().parents[1] / "calibration" / "records" / "mg-mtcsn-behavioral"
    rows = chip_rows(read_calibration(folder))
    summary = json.loads((folder / "chips" / "chip-0" / "result.json").read_text())["summary"]
    assert rows[0]["iv_rmse_before"]["fast"] == summary["before.iv_rmse"]
    assert rows[0]["iv_rmse_after"]["slow"] == summary["after.iv_rmse"]
    assert rows[0]["gamma_before"] == summary["before.gamma"] and rows[0]["gamma_after"] == summary["after.gamma"]
    assert rows[0]["iterations"] == summary["iterations"]
