"""`mtcsn-hw report`: the page and its JSON agree, the energy matches the bias currents, bad input writes
nothing. Real ngspice and sky130 throughout; the tonic preset keeps the transistor run short."""
from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from mtcsn_hw.circuit.build import units_for
from mtcsn_hw.circuit.families.sky130 import FILTER_WIDENING
from mtcsn_hw.cli.main import main
from mtcsn_hw.model.presets import preset
from tests.report_page_checks import image_problems, number_problems, parse

ROOT = Path(__file__).resolve().parents[1]


def run_cli(argv) -> int:
    try:
        return main(argv)
    except SystemExit as exc:   # exit status 1: written, a headline check failed
        return int(exc.code)


@pytest.fixture(scope="module")
def tonic_transistor(tmp_path_factory):
    out = tmp_path_factory.mktemp("rep") / "tonic"
    code = run_cli(["report", "--preset", "tonic", "--level", "transistor", "--out", str(out)])
    return out, code


@pytest.fixture(scope="module")
def network_behavioral(tmp_path_factory):
    base = tmp_path_factory.mktemp("rep")
    calib = base / "calib"
    chip = calib / "chips" / "chip-7"
    chip.mkdir(parents=True)
    (calib / "run.json").write_text(json.dumps({"arguments": {"source": "models/mg-mtcsn"}}))
    (chip / "result.json").write_text(json.dumps({"before": {"iv_rmse": {"fast": 0.046, "slow": 0.03}, "gamma": 0.41,
                                                             "smape": 17.5},
                                                  "after": {"iv_rmse": 0.009, "gamma": 0.83, "smape": 16.1},
                                                  "iterations": 4}))
    v = np.linspace(-4, 4, 81)   # a chip's measured curves: the model's shape, slightly off
    iv = {"v": v.tolist(), "fast": (1.05 * (v - 2 * np.tanh(v))).tolist(), "slow": (v + 0.1).tolist()}
    (chip / "measurements.json").write_text(json.dumps({"iv": iv}))
    (chip / "history.json").write_text(json.dumps([{"iteration": i, "loss": 1.0 / (i + 1)} for i in range(4)]))
    out = base / "mg"
    code = run_cli(["report", "models/mg-mtcsn", "--steps", "130", "--skip-energy", "--calibration", str(calib),
                    "--compare", "models/mg-lif", "--out", str(out)])
    return out, code


def test_every_image_resolves_and_every_number_is_in_report_json(tonic_transistor, network_behavioral):
    for out, code in (tonic_transistor, network_behavioral):
        data = json.loads((out / "report.json").read_text())
        assert code == data["exit_code"] == (1 if data["overall"] == "FAIL" else 0)
        page = parse(out)
        assert not page.external, page.external           # nothing fetched from elsewhere
        assert len(page.images) == len(data["figures"]) >= 3
        assert image_problems(out, page) == []
        assert len(page.numbers) > 50
        assert number_problems(out, page) == []
        for name in data["figures"]:
            assert (out / name).read_bytes().startswith(b"\x89PNG")
        assert not [p for p in out.parent.iterdir() if p.name.startswith(".")]   # no temporary leftovers


def test_forecasts_npz_recomputes_the_smapes(network_behavioral):
    out, _ = network_behavioral
    data = json.loads((out / "report.json").read_text())
    with np.load(out / "forecasts.npz", allow_pickle=False) as f:
        y, ym, yc = f["y_true"], f["y_model"], f["y_circuit"]
    assert len(y) == len(ym) == len(yc) == data["window"]["kept"] == 80

    def smape(a, b):  # written out again, independent of tasks.metrics
        return float(np.mean(200 * np.abs(a - b) / (np.abs(a) + np.abs(b))))

    assert smape(ym, y) == pytest.approx(data["smape_model"], rel=1e-9)
    assert smape(yc, y) == pytest.approx(data["smape_circuit"], rel=1e-9)
    assert 0.2 < data["spikes"]["gamma"] <= 1.0 and data["iv_rmse"]["fast"] < 0.01   # behavioural: well above chance
    chips = data["calibration"]["chips"]
    assert chips[0]["iv_rmse_before"]["fast"] == 0.046 and chips[0]["iv_rmse_after"]["ultraslow"] == 0.009
    assert data["calibration"]["ladder"]["chips"][0]["values"][1:] == [17.5, 16.1, None, None]
    lif = data["baselines"][0]
    recorded = json.loads(open("models/mg-lif/metrics.json").read())
    # published per-operation energies: 0.9 pJ per AC, 4.6 pJ per MAC (Horowitz, ISSCC 2014, 45 nm float)
    assert lif["conversion"]["arithmetic_45nm_j_per_step"] == pytest.approx(
        recorded["synops_effective_acs"] * 0.9e-12 + recorded["synops_effective_macs"] * 4.6e-12, rel=1e-12)
    html = (out / "report.html").read_text()
    assert "ESTIMATE" in html and "Horowitz" in html and "Davies" in html
    assert "not available yet" in html and "twin.json in" in html   # says what the folder lacks
    assert {"figures/mc_iv.png", "figures/convergence.png", "figures/ladder.png"} <= set(data["figures"])


def test_static_supply_matches_the_bias_currents_within_ten_percent(tonic_transistor):
    out, _ = tonic_transistor
    e = json.loads((out / "report.json").read_text())["energy"]
    # independent estimate, from the preset and the cell topology: each 5-T element OTA draws 2 |alpha| I0 (diode +
    # tail); each follower-integrator 1.5 x its widening x I_tau, I_tau = C_x V0 / (tau tau0), C_x = C_m tau / 10
    u = units_for("transistor")
    p = preset("tonic")
    ota = sum(2 * abs(el.alpha) * u.i0 for el in p.elements)
    taus = {el.tau for el in p.elements if el.tau > 0}
    filters = sum(1.5 * FILTER_WIDENING * (u.c_m * t / 10) * u.v0 / (t * u.tau0) for t in taus)
    assert e["estimate"]["supply_a"] == pytest.approx(ota + filters, rel=1e-9)
    m = e["measured"]
    assert m["static_current_a"] == pytest.approx(ota + filters, rel=0.10)
    assert m["mean_current_a"] == pytest.approx(ota + filters, rel=0.10)
    assert m["static_power_w"] == pytest.approx(m["static_current_a"] * 1.8, rel=1e-9)
    assert m["static_fraction"] > 0.8                                  # static energy dominates
    assert 0 < m["energy_per_spike_j"] < 1e-8 and m["spikes"] >= 10
    check = next(c for c in json.loads((out / "report.json").read_text())["checks"] if "supply" in c["name"])
    assert check["status"] == "PASS"


def _nothing_written(tmp_path, out):
    assert not out.exists()
    assert not [p for p in tmp_path.rglob(".*")]


def test_missing_checkpoint_writes_nothing(tmp_path, capsys):
    out = tmp_path / "r"
    assert run_cli(["report", str(tmp_path / "no-such-model"), "--out", str(out)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "no checkpoint" in err[0]
    _nothing_written(tmp_path, out)


def test_calibration_folder_of_another_checkpoint_writes_nothing(tmp_path, capsys):
    calib = tmp_path / "calib"
    (calib / "chips").mkdir(parents=True)
    (calib / "run.json").write_text(json.dumps({"arguments": {"source": "models/mg-lif"}}))
    out = tmp_path / "r"
    assert run_cli(["report", "models/mg-mtcsn", "--calibration", str(calib), "--out", str(out)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "mg-lif" in err[0] and "mg-mtcsn" in err[0]
    _nothing_written(tmp_path, out)


def test_calibration_of_another_network_with_the_same_name_writes_nothing(tmp_path, capsys):
    """A folder named for models/mg-mtcsn whose calibrated neurons are not this checkpoint's (e.g. an earlier
    mg-mtcsn): the name matches, the parameters do not."""
    other = preset("tonic").to_dict()
    run = json.loads((ROOT / "calibration/records/mg-mtcsn-behavioral/run.json").read_text())
    run["arguments"]["neurons"] = [other] * len(run["arguments"]["neurons"])
    calib = tmp_path / "calib"
    (calib / "chips").mkdir(parents=True)
    (calib / "run.json").write_text(json.dumps(run))
    out = tmp_path / "r"
    assert run_cli(["report", "models/mg-mtcsn", "--calibration", str(calib), "--out", str(out)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "another network" in err[0]
    _nothing_written(tmp_path, out)
    run["arguments"]["neurons"] = run["arguments"]["neurons"][:-1]
    (calib / "run.json").write_text(json.dumps(run))
    assert run_cli(["report", "models/mg-mtcsn", "--calibration", str(calib), "--out", str(out)]) == 2
    assert "neurons" in capsys.readouterr().err
    _nothing_written(tmp_path, out)


def test_twin_with_another_neuron_count_is_refused(tmp_path, capsys):
    chip = tmp_path / "calib" / "chips" / "chip-1"
    chip.mkdir(parents=True)
    (chip / "twin.json").write_text(json.dumps({"format": "mtcsn-hw/twin/1", "neurons": [preset("tonic").to_dict()]}))
    out = tmp_path / "r"
    assert run_cli(["report", "models/mg-mtcsn", "--calibration", str(tmp_path / "calib"), "--out", str(out)]) == 2
    assert "1 neuron(s)" in capsys.readouterr().err
    _nothing_written(tmp_path, out)


def test_unwritable_output_writes_nothing(tmp_path, capsys):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    assert run_cli(["report", "--preset", "tonic", "--out", str(blocker / "report")]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "cannot write the report" in err[0]
    assert blocker.read_text() == "not a folder" and sorted(p.name for p in tmp_path.iterdir()) == ["a-file"]
    assert run_cli(["report", "--preset", "tonic", "--out", str(tmp_path)]) == 2     # a folder of other files
    assert "holds other files" in capsys.readouterr().err and blocker.read_text() == "not a folder"


def test_a_failure_while_writing_leaves_no_half_written_report(tmp_path, monkeypatch):
    import mtcsn_hw.report.build as build

    def broken(*_):
        raise RuntimeError("disk full")

    monkeypatch.setattr(build, "render", broken)
    with pytest.raises(RuntimeError):
        build.build_report(preset="tonic", out=tmp_path / "r", skip_energy=True)
    assert list(tmp_path.iterdir()) == []


def test_json_summary_and_documented_exit_status(tmp_path, capsys):
    with pytest.raises(SystemExit) as exc:
        main(["report", "--help"])
    assert exc.value.code == 0 and "exit status" in capsys.readouterr().out
    out = tmp_path / "r"
    code = run_cli(["report", "--preset", "tonic", "--skip-energy", "--json", "--out", str(out)])
    lines = capsys.readouterr().out.strip().splitlines()
    assert len(lines) == 1
    summary = json.loads(lines[0])
    data = json.loads((out / "report.json").read_text())
    assert code == summary["exit_code"] == data["exit_code"]
    assert summary["iv_rmse"] == data["iv_rmse"] and summary["checks"] == data["checks"]
    assert data["provenance"]["command"].startswith("mtcsn-hw report --preset tonic")
