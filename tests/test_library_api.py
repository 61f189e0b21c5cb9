"""What the CLI does is a plain Python call: the same numbers from the library as from the command."""
import json
from pathlib import Path

import numpy as np
import pytest

from mtcsn_hw import NeuronParams
from mtcsn_hw.cli.main import main
from mtcsn_hw.errors import ParameterError
from mtcsn_hw.model.iv import iv_curves
from mtcsn_hw.model.iv_report import BYTES_PER_POINT, MAX_POINTS, sweep
from mtcsn_hw.report.model_iv import run_iv
from mtcsn_hw.report.model_regimes import run_regimes
from mtcsn_hw.training.evaluate import evaluate_checkpoint

ROOT = Path(__file__).resolve().parents[1]


def cli_json(capsys, *argv):
    assert main(list(argv)) == 0
    return json.loads(capsys.readouterr().out)


def test_run_iv_is_what_the_command_prints(capsys, tmp_path):
    params = NeuronParams.preset("bursting")
    report = run_iv(params, "preset:bursting", -3, 3, 61, plot=tmp_path / "iv.svg")
    assert cli_json(capsys, "iv", "--preset", "bursting", "--json", "--v-min", "-3", "--v-max", "3",
                    "--points", "61") == report
    v = np.linspace(-3, 3, 61)
    assert np.allclose(report["curves"]["fast"]["i"], iv_curves(params, v)["fast"].numpy(), rtol=0, atol=1e-12)
    assert (tmp_path / "iv.svg").read_text().lstrip().startswith("<?xml")


def test_run_regimes_is_what_the_command_prints(capsys):
    assert cli_json(capsys, "regimes", "--json", "--dt", "0.2") == run_regimes(0.2)


def test_evaluate_checkpoint_is_what_the_command_prints(capsys, tmp_path):
    path = ROOT / "models" / "mg-lif"
    result = evaluate_checkpoint(path, predictions=tmp_path / "p.npz")
    assert cli_json(capsys, "evaluate", str(path), "--json") == result
    with np.load(tmp_path / "p.npz", allow_pickle=False) as d:
        from mtcsn_hw.tasks.metrics import smape
        assert smape(d["y_pred"], d["y_true"]) == pytest.approx(result["smape"], rel=1e-12)
    assert result["model"] == "lif" and result["protocol"] == "direct" and result["horizon"] == 75


def test_sweep_limit_is_exact_and_the_refusal_estimates_the_cost():
    assert len(sweep(-1, 1, MAX_POINTS)) == MAX_POINTS
    with pytest.raises(ParameterError) as exc:
        sweep(-1, 1, MAX_POINTS + 1)
    assert str(MAX_POINTS) in str(exc.value) and "GB" in str(exc.value)


def test_huge_points_is_refused_at_once_with_an_estimate(capsys, tmp_path):
    png = tmp_path / "iv.png"
    code = main(["iv", "--preset", "tonic", "--points", "100000000", "--json", "--plot", str(png)])
    out, err = capsys.readouterr()
    assert code != 0 and out == "" and err.count("\n") == 1 and "Traceback" not in err
    assert "--points 100000000" in err and f"{1e8 * BYTES_PER_POINT / 1e9:.3g} GB" in err and not png.exists()
