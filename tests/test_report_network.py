"""The shipped network against its own behavioural circuit, and the demo as a user runs it."""
import json
from pathlib import Path

import numpy as np

from mtcsn_hw.cli.main import main
from mtcsn_hw.report.network_vs_circuit import compare_network


def test_shipped_network_and_its_behavioural_circuit_compute_the_same_forecast():
    r = compare_network("models/mg-mtcsn", "behavioral", steps=300)
    config = json.loads(Path("models/mg-mtcsn/config.json").read_text())
    assert r["neurons"] == config["n_hidden"] and r["steps"] == 300
    # the model steps 32 substeps per sample: the continuous-time circuit is its twin (issue: within 5 %)
    assert abs(r["smape_circuit"] - r["smape_model"]) <= 0.05 * r["smape_model"]
    assert r["smape_circuit_vs_model"] < 3
    assert r["median_gamma"] >= 0.9
    assert r["spike_count_correlation"] > 0.95
    assert 0.9 < r["spike_rate_circuit"] / r["spike_rate_model"] < 1.1
    y_c, y_m = np.array(r["series"]["circuit"]), np.array(r["series"]["model"])
    assert np.corrcoef(y_c, y_m)[0, 1] > 0.98      # measured 0.985 (was 0.89 at one step per sample)


def test_demo_runs_end_to_end(tmp_path, capsys):
    out = tmp_path / "demo"
    assert main(["demo", "--out", str(out), "--json"]) == 0
    captured = capsys.readouterr()
    summary = json.loads(captured.out)
    progress = captured.err.splitlines()      # --json: the progress per stage goes to stderr
    stages = [line[:3] for line in progress if line.startswith("[")]
    assert stages == [f"[{k}]" for k in range(1, 9)]
    end = progress.index(f"report: {summary['report']['path']}")
    assert [line.strip() for line in progress[end + 1:]] == summary["report"]["headline"]
    assert {r["class"] for r in summary["regimes"].values()} == {"tonic", "phasic", "bursting"}
    assert summary["preset_vs_circuit"]["behavioral"]["regime"] == "bursting"
    assert summary["preset_vs_circuit"]["transistor"]["regime"] == "bursting"
    assert summary["model"]["smape"] < 15
    for name in ("regimes.png", "circuit_bursting_traces.png", "circuit_bursting_iv.png", "mg-mtcsn_circuit.png",
                 "mg-mtcsn_behavioral.cir", "mg-mtcsn_transistor.cir", "summary.json"):
        assert (out / name).stat().st_size > 0, name
    chip = summary["chip"]             # one mismatched chip, calibrated: the I-V error comes down
    assert chip["after"]["iv_rmse"] < chip["before"]["iv_rmse"] and chip["iterations"] <= 10
    assert (out / "chip-calibration" / "chips" / "chip-0" / "calibrated.cir").stat().st_size > 0
    ladder = summary["retrained"]["smape"]
    assert set(ladder) == {"nominal", "mismatched", "calibrated", "retrained"}
    assert all(np.isfinite(v) for v in ladder.values())
    assert (out / "mg-mtcsn-chip" / "ladder.json").exists()
    report = json.loads((out / "report" / "report.json").read_text())
    assert (out / "report" / "report.html").stat().st_size > 0 and report["smape_circuit"] > 0
    assert len(summary["report"]["headline"]) == 3
    assert not [p for p in out.iterdir() if p.name.startswith(".")]      # no temporary leftovers
