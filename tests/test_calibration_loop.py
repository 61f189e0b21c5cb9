"""The calibration loop end to end through the command line (real ngspice, behavioural cells with the
behavioural equivalents of sky130 mismatch): chip folders, resume, JSON shape, I-V error reduced; the
Monte Carlo yield; bad input refused with one line and nothing already written lost."""
import contextlib
import io
import json

import numpy as np
import pytest

from mtcsn_hw.cli.main import main
from mtcsn_hw.report.montecarlo_report import datasheet

CHIP_FILES = {"mismatch.json", "measurements.json", "measurements.npz", "twin.json", "twin_calibrated.json",
              "biases.json", "history.json", "refinement.json",
              "calibrated.cir", "comparison.json", "result.json"}


def run(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture(scope="module")
def calibrated(tmp_path_factory):
    out = tmp_path_factory.mktemp("cal") / "run"
    argv = ["calibrate", "--preset", "bursting", "--level", "behavioral", "--mismatch-seed", "5", "--chips", "2",
            "--workers", "2", "--out", str(out), "--json"]
    buf = io.StringIO()
    with contextlib.redirect_stdout(buf):
        code = main(argv)
    return code, json.loads(buf.getvalue()), out, argv


def test_calibrate_writes_every_chip_folder(calibrated):
    code, result, out, _ = calibrated
    assert code == 0 and not result["failed"]
    for seed in (5, 6):
        chip = out / "chips" / f"chip-{seed}"
        assert {p.name for p in chip.iterdir()} == CHIP_FILES
        table = json.loads((chip / "mismatch.json").read_text())
        assert table["format"] == "mtcsn-hw/mismatch-table/1" and table["seed"] == seed
        assert any(k.endswith("/B1") for k in table["devices"])  # behavioural OTAs carry their equivalents
        twin = json.loads((chip / "twin.json").read_text())
        assert [e["name"] for e in twin["elements"]] == ["fast-", "slow+", "slow-", "ultraslow+"]
        refinement = json.loads((chip / "refinement.json").read_text())
        for which, name in (("twin", "twin.json"), ("calibrated_twin", "twin_calibrated.json")):
            steps = refinement[which]
            assert len(steps["choose_gamma"]) == len(steps["fit_loss"]) + 1 == 7   # the DC twin, then 6 steps
            kept = steps["kept_step"]
            assert steps["choose_gamma"][kept] == max(steps["choose_gamma"])       # the best held-out step kept
            assert json.loads((chip / name).read_text()) == steps["params"]
            if kept == 0:
                assert steps["params"] == steps["start"]
        history = json.loads((chip / "history.json").read_text())
        assert len(history["history"]) == history["iterations"] + 1 <= 11
        assert history["biases"]["leak"]["r_ohm"] > 0               # the programmable leak is a knob too
        with np.load(chip / "measurements.npz") as arrays:           # both sweeps of every element, before and after
            for when in ("before", "after"):
                held = f"{when}/0/element/slow-/held"
                assert arrays[f"{held}/v"].size == arrays[f"{held}/current"].size > 100
                assert float(arrays[f"{held}/v_in"]) == pytest.approx(-2.0, abs=0.1)
        assert "vm_0" in (chip / "calibrated.cir").read_text() and ".control" in (chip / "calibrated.cir").read_text()
    assert (out / "summary.json").exists() and (out / "run.json").exists()


def test_calibrate_json_shape_and_iv_error_reduced(calibrated):
    _, result, _, _ = calibrated
    for when in ("before", "after"):
        assert set(result[when]) >= {"iv_rmse", "gamma", "rhythm"}
        assert set(result[when]["rhythm"]) == {"spikes_per_burst", "intra_burst_isi", "period"}
    assert isinstance(result["iterations"], (int, float))
    assert len(result["chips"]) == 2
    for chip in result["chips"]:
        assert chip["after.iv_rmse"] < chip["before.iv_rmse"]
        assert chip["after.iv_rmse"] < 0.02
        assert 0.0 <= chip["twin_gamma"] <= 1.0 + 1e-9
        assert 0.0 <= chip["calibrated_twin_gamma"] <= 1.0 + 1e-9
        assert 0.0 <= chip["twin_gamma_dc"] <= 1.0 + 1e-9
    assert result["after"]["iv_rmse"] < result["before"]["iv_rmse"]


def test_every_chip_is_judged_on_each_target_from_its_own_numbers(calibrated):
    _, result, _, _ = calibrated
    model = json.loads((calibrated[2] / "chips" / "chip-5" / "comparison.json").read_text())["neurons"][0]["model"]
    assert model["rhythm"]["spikes_per_burst"] == 7.0          # the preset's steady bursts
    for chip in result["chips"]:
        for when in ("before", "after"):
            assert chip[f"{when}.iv_ok"] == (chip[f"{when}.iv_rmse"] <= 0.01)
            assert chip[f"{when}.gamma_ok"] == (chip[f"{when}.gamma"] >= 0.8)
            spb, isi, period = (chip[f"{when}.{k}"] for k in ("spikes_per_burst", "intra_burst_isi", "period"))
            assert chip[f"{when}.spikes_per_burst_equal"] == (spb == 7.0)
            assert chip[f"{when}.intra_burst_isi_ok"] == (isi is not None and abs(
                isi / model["rhythm"]["intra_burst_isi"] - 1) <= 0.03)
            assert chip[f"{when}.period_ok"] == (period is not None and abs(
                period / model["rhythm"]["period"] - 1) <= 0.03)
        assert chip["twin_gamma_ok"] == (chip["twin_gamma"] >= 0.9)
        assert chip["calibrated_twin_gamma_ok"] == (chip["calibrated_twin_gamma"] >= 0.9)


def test_calibrate_resumes_without_recomputing(calibrated, capsys):
    _, first, out, argv = calibrated
    stamps = {p: p.stat().st_mtime_ns for p in (out / "chips").rglob("result.json")}
    code, text, err = run(capsys, *argv)
    again = json.loads(text)
    assert code == 0, err
    assert again["computed"] == [] and sorted(again["skipped"]) == [5, 6]
    assert {p: p.stat().st_mtime_ns for p in (out / "chips").rglob("result.json")} == stamps
    assert again["before"] == first["before"] and again["after"] == first["after"]


def test_montecarlo_reports_regime_yield_and_figures(tmp_path, capsys):
    out = tmp_path / "mc"
    code, text, err = run(capsys, "montecarlo", "--preset", "tonic", "--level", "behavioral", "--chips", "3",
                          "--workers", "2", "--out", str(out), "--json")
    assert code == 0, err
    result = json.loads(text)
    assert result["done"] == 3
    for when in ("before", "after"):
        y = result["regime_yield"][when]
        assert y["evaluated"] == 3 and 0 <= y["passed"] <= 3
        lo, hi = y["wilson95"]
        assert lo <= y["fraction"] <= hi
        assert result["distribution"][when]["iv_rmse"]["n"] == 3
        assert sum(result["regimes"][when].values()) == 3
    assert result["distribution"]["after"]["iv_rmse"]["median"] < result["distribution"]["before"]["iv_rmse"]["median"]
    targets = result["target_yield"]
    for key in ("spikes_per_burst_equal", "intra_burst_isi_ok", "period_ok"):   # a tonic model has no bursts
        assert targets[key]["after"] is None and targets[key]["pass"] is None
    summary = json.loads((out / "summary.json").read_text())
    within = sum(c["after.iv_rmse"] <= 0.01 for c in summary["per_chip"])
    assert targets["iv_ok"]["after"]["passed"] == within and targets["iv_ok"]["pass"] == (within == 3)
    assert "iv_ok" in datasheet(targets) and ("PASS" in datasheet(targets) or "FAIL" in datasheet(targets))
    # each twin is judged once, against its own chip: as made (before), calibrated (after)
    for key, when in (("twin_gamma_ok", "before"), ("calibrated_twin_gamma_ok", "after")):
        passed = sum(bool(c[key]) for c in summary["per_chip"])
        assert targets[key][when]["passed"] == passed and targets[key]["pass"] == (passed == 3)
    for name in ("iv_envelope.png", "yield.png", "rasters.png"):
        assert (out / name).read_bytes()[:4] == b"\x89PNG"
    # the raster figure draws what the chip folders recorded, before and after, for every chip
    from mtcsn_hw.report.montecarlo_report import spike_trains
    for when in ("before", "after"):
        trains = spike_trains(out, [0, 1, 2], when)
        assert [seed for seed, _ in trains] == [0, 1, 2]
        assert all(times.size > 0 and np.all(np.diff(times) > 0) for _, times in trains)


@pytest.mark.parametrize("extra, needle", [
    (["--corner", "xx"], "corner"),
    (["--chips", "-2"], "--chips"),
    (["--mismatch-seed", "1.5"], "--mismatch-seed"),
    (["--mismatch", "gf180"], "gf180"),
    (["--level", "gate"], "level"),
])
def test_bad_input_gives_one_line_and_writes_nothing(tmp_path, capsys, extra, needle):
    out = tmp_path / "run"
    code, text, err = run(capsys, "calibrate", "--preset", "tonic", "--out", str(out), "--json", *extra)
    assert code != 0 and text == ""
    assert len(err.strip().splitlines()) == 1 and needle in err
    assert not (out / "chips").exists()


def test_unwritable_out_is_refused_and_a_done_folder_is_kept(calibrated, tmp_path, capsys):
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    code, text, err = run(capsys, "calibrate", "--preset", "tonic", "--out", str(blocker / "run"), "--json")
    assert code != 0 and text == "" and len(err.strip().splitlines()) == 1
    _, _, out, _ = calibrated  # another run's folder: refused, its chips untouched
    before = sorted(p.name for p in (out / "chips").iterdir())
    code, _, err = run(capsys, "calibrate", "--preset", "tonic", "--out", str(out), "--json")
    assert code != 0 and "different run" in err
    assert sorted(p.name for p in (out / "chips").iterdir()) == before
