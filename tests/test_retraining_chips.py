"""A forecasting network on mismatched chips (real ngspice, behavioural cells with the behavioural equivalents
of sky130 mismatch, a tiny MTCSN forecaster trained here): scoring over Monte Carlo chips through the engine
(resume, failure records), running on one chip, chip-specific retraining and its recovery ladder, and bad
input refused with one line and nothing written."""
import json
import shutil

import numpy as np
import pytest
import torch

from mtcsn_hw.calibration.calibrate_run import run_chips
from mtcsn_hw.checkpoint.reader import read_checkpoint
from mtcsn_hw.cli.main import main
from mtcsn_hw.model.params import NeuronParams
from mtcsn_hw.retraining.one_chip import run_on_chip
from mtcsn_hw.retraining.score import score_chips
from mtcsn_hw.tasks import metrics as M
from mtcsn_hw.training.config import TrainConfig
from mtcsn_hw.training.run import train_and_save

N_TEST = 150


def tiny(model="mtcsn", **kw):
    # no activity regulariser: four neurons under the shipped weight fall silent, and a silent chip has no mismatch
    return TrainConfig(**{**dict(model=model, horizon=10, n_hidden=4, iterations=40, batch=8, window=150, washout=30,
                                 lr=2e-2, train_lyap=4, test_lyap=2, activity_reg=0.0), **kw})


@pytest.fixture(scope="module")
def checkpoint(tmp_path_factory):
    torch.set_num_threads(1)
    out = tmp_path_factory.mktemp("ck") / "mg-tiny"
    train_and_save(tiny(), out, progress=False)
    return out


@pytest.fixture(scope="module")
def calibration(checkpoint, tmp_path_factory):
    out = tmp_path_factory.mktemp("cal") / "run"
    report = run_chips(out, source=str(checkpoint), level="behavioral", mismatch_seed=3, chips=2, workers=2,
                       progress=False)
    assert not report.failed
    return out


def cli(capsys, *argv):
    code = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


def test_calibration_writes_the_calibrated_chips_twin_closer_to_the_targets(calibration):
    targets = [NeuronParams.from_dict(d) for d in json.loads((calibration / "run.json").read_text())
               ["arguments"]["neurons"]]
    for seed in (3, 4):
        chip = calibration / "chips" / f"chip-{seed}"
        before = json.loads((chip / "twin.json").read_text())
        after = json.loads((chip / "twin_calibrated.json").read_text())
        assert before["format"] == after["format"] == "mtcsn-hw/twin/1"

        def distance(twin):
            return np.mean([abs(e.alpha - t.alpha) + abs(e.delta - t.delta)
                            for d, tp in zip(twin["neurons"], targets, strict=True)
                            for e, t in zip(NeuronParams.from_dict(d).elements, tp.elements, strict=True)])
        assert distance(after) < distance(before)


def test_score_chips_through_the_engine_with_resume(checkpoint, tmp_path, capsys):
    out = tmp_path / "score"
    argv = ["montecarlo", checkpoint, "--forecast", "--chips", 3, "--mismatch-seed", 10, "--workers", 2,
            "--n-test", N_TEST, "--out", out, "--json"]
    code, text, err = cli(capsys, *argv)
    assert code == 0, err
    first = json.loads(text)
    assert sorted(first["computed"]) == [10, 11, 12] and not first["failed"]
    smapes = []
    for chip in first["chips"]:
        folder = out / "chips" / f"chip-{chip['seed']}"
        assert json.loads((folder / "mismatch.json").read_text())["seed"] == chip["seed"]
        with np.load(folder / "forecasts.npz", allow_pickle=False) as f:   # the sMAPE recomputed from the arrays
            w = int(f["washout"])
            assert f["y_circuit"].shape == f["y_true"].shape == f["y_model"].shape == (N_TEST,)
            assert chip["smape"] == pytest.approx(M.smape(f["y_circuit"][w:], f["y_true"][w:]), rel=1e-9)
        smapes.append(chip["smape"])
    s = first["smape"]
    assert s["median"] == pytest.approx(np.median(smapes)) and s["worst"] == pytest.approx(max(smapes))
    assert s["p10"] <= s["median"] <= s["p90"] <= s["worst"]
    assert np.isfinite(s["nominal"]) and len(set(smapes)) == 3 and s["nominal"] not in smapes   # mismatch applied
    assert (out / "smape_chips.png").stat().st_size > 0
    stamps = {p: p.stat().st_mtime_ns for p in (out / "chips").rglob("*")}
    code, text, err = cli(capsys, *argv)
    again = json.loads(text)
    assert code == 0, err
    assert again["computed"] == [] and sorted(again["skipped"]) == [10, 11, 12]
    assert again["chips"] == first["chips"] and again["smape"] == first["smape"]
    assert {p: p.stat().st_mtime_ns for p in (out / "chips").rglob("*")} == stamps


def test_scoring_calibrated_chips_records_a_bad_chip_and_goes_on(checkpoint, calibration, tmp_path):
    cal = tmp_path / "cal"
    shutil.copytree(calibration, cal)
    biases = cal / "chips" / "chip-4" / "biases.json"
    table = json.loads(biases.read_text())
    del table["neurons"][0]["elements"]["fast-"]            # a bias table that lacks an element
    biases.write_text(json.dumps(table))
    r = score_chips(checkpoint, tmp_path / "score", None, n_test=N_TEST, workers=1, calibration=cal)
    assert [c["seed"] for c in r["chips"]] == [3]
    assert list(r["failed"]) == ["4"] and "fast-" in r["failed"]["4"]
    assert (tmp_path / "score" / "failed" / "chip-4.json").exists()
    one = run_on_chip(checkpoint, calibration, seed=3, n_test=N_TEST)    # the same chip, outside the engine
    assert one["calibrated"] and r["chips"][0]["smape"] == pytest.approx(one["smape"], rel=1e-9)


def test_retrain_for_one_chip_end_to_end(checkpoint, calibration, tmp_path, capsys):
    out = tmp_path / "retrained"
    code, text, err = cli(capsys, "retrain", checkpoint, "--calibration", calibration, "--chip", 4, "--iterations", 30,
                          "--n-test", N_TEST, "--out", out, "--json")
    assert code == 0, err
    ladder = json.loads(text)
    assert ladder == json.loads((out / "ladder.json").read_text())
    rungs = ladder["smape"]
    assert list(rungs) == ["nominal", "mismatched", "calibrated", "retrained"]
    assert all(np.isfinite(v) and v > 0 for v in rungs.values())
    assert rungs["retrained"] <= rungs["mismatched"]
    # a normal checkpoint: the reader and evaluate take it; the chip's twins are in it, frozen
    ck, source = read_checkpoint(out), read_checkpoint(checkpoint)
    twins = json.loads((calibration / "chips" / "chip-4" / "twin_calibrated.json").read_text())["neurons"]
    for p, t in zip(ck.neurons(), twins, strict=True):
        twin = NeuronParams.from_dict(t)
        for e, f in zip(p.elements, twin.elements, strict=True):
            assert (e.alpha, e.delta, e.tau) == pytest.approx((f.alpha, f.delta, f.tau), rel=1e-5, abs=1e-6)
    assert not np.allclose(ck.params["input_weights"], source.params["input_weights"])
    record = json.loads((out / "chip.json").read_text())
    assert record["seed"] == 4 and len(record["offsets"]) == 4
    assert cli(capsys, "evaluate", out, "--json")[0] == 0
    code, _, err = cli(capsys, "report", out, "--skip-energy", "--steps", 100, "--out", tmp_path / "report", "--json")
    assert code in (0, 1), err                                      # written (1: a headline check failed)
    shown = json.loads((tmp_path / "report" / "report.json").read_text())["calibration"]["ladder"]["chips"]
    assert [c["values"][:4] for c in shown] == [[rungs[r] for r in rungs]]
    assert (tmp_path / "report" / "figures" / "ladder.png").exists()
    again = run_on_chip(out, calibration, seed=4, n_test=N_TEST)   # re-run on its chip, read back from disk
    assert again["smape"] == pytest.approx(rungs["retrained"], rel=1e-6)


@pytest.fixture(scope="module")
def lif_checkpoint(tmp_path_factory):
    out = tmp_path_factory.mktemp("lif") / "lif"
    train_and_save(tiny("lif", iterations=2), out, progress=False)
    return out


def _edited(calibration, tmp_path, edit):
    cal = tmp_path / "edited"
    shutil.copytree(calibration, cal)
    edit(cal)
    return cal


def _run_json(cal, change):
    run = json.loads((cal / "run.json").read_text())
    change(run["arguments"]["neurons"])
    (cal / "run.json").write_text(json.dumps(run))


BAD = {
    "another network": (lambda cal: _run_json(cal, lambda ns: ns[0]["elements"][0].update(alpha=-3.3)),
                        ["--chip", "3"], "another network"),
    "neuron count": (lambda cal: _run_json(cal, lambda ns: ns.pop()), ["--chip", "3"], "is for 3 neurons"),
    "missing twin": (lambda cal: (cal / "chips" / "chip-3" / "twin_calibrated.json").unlink(), ["--chip", "3"],
                     "twin_calibrated.json"),
    "chip not there": (lambda cal: None, ["--chip", "99"], "chip 99 is not in"),
    "several chips": (lambda cal: None, [], "--chip SEED"),
}


@pytest.mark.parametrize("case", sorted(BAD))
def test_retrain_refuses_bad_calibration_with_one_line(case, checkpoint, calibration, tmp_path, capsys):
    edit, extra, message = BAD[case]
    cal = _edited(calibration, tmp_path, edit)
    out = tmp_path / "out"
    code, text, err = cli(capsys, "retrain", checkpoint, "--calibration", cal, *extra, "--out", out)
    assert code != 0 and text == ""
    assert len(err.strip().splitlines()) == 1 and message in err, err
    assert not out.exists()


def test_retrain_refuses_a_non_mtcsn_checkpoint(lif_checkpoint, calibration, tmp_path, capsys):
    out = tmp_path / "out"
    code, _, err = cli(capsys, "retrain", lif_checkpoint, "--calibration", calibration, "--chip", "3", "--out", out)
    assert code != 0 and len(err.strip().splitlines()) == 1 and "only MTCSN" in err
    assert not out.exists()
