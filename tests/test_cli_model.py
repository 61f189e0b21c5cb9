"""The model subcommands as a user runs them: exit codes, one-line errors, JSON, figures."""
import json

import pytest

from mtcsn_hw.cli.main import main


def run(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_regimes_json_classifies_each_preset(capsys, tmp_path):
    png = tmp_path / "regimes.png"
    code, out, err = run(capsys, "regimes", "--json", "--plot", str(png))
    assert code == 0 and err == ""
    data = json.loads(out)
    for name in ("tonic", "phasic", "bursting"):
        r = data["presets"][name]
        assert r["class"] == name
        assert {"spike_times", "t_on", "t_end"} <= set(r)
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_iv_json_reports_shapes_and_regions(capsys, tmp_path):
    code, out, _ = run(capsys, "iv", "--preset", "bursting", "--json", "--plot", str(tmp_path / "iv.png"))
    assert code == 0
    data = json.loads(out)
    assert [data["curves"][k]["shape"] for k in ("fast", "slow", "ultraslow")] == ["N-shaped", "N-shaped", "monotone"]
    lo, hi = data["curves"]["fast"]["negative_slope"][0]
    assert lo == pytest.approx(-0.88, abs=0.03) and hi == pytest.approx(0.88, abs=0.03)   # 2 sech^2(v) = 1
    assert (tmp_path / "iv.png").exists()


def test_iv_reads_a_parameter_file(capsys, tmp_path):
    path = tmp_path / "n.json"
    code, out, _ = run(capsys, "iv", "--preset", "tonic", "--json")
    from mtcsn_hw import NeuronParams
    NeuronParams.preset("tonic").save(path)
    code2, out2, _ = run(capsys, "iv", str(path), "--json")
    assert code == code2 == 0
    assert json.loads(out)["curves"] == json.loads(out2)["curves"]


@pytest.mark.parametrize("content", [
    '{"c": 1, "elements": [{"name": "x", "alpha": NaN, "delta": 0, "tau": 0}]}',
    '{"c": -1}',
    '{"elements": [{"name": "a\\n.control", "alpha": 1, "delta": 0, "tau": 0}]}',
    'not json at all',
    '{"elements": [{"name": "a", "alpha": 1, "delta": 0, "tau": -5}]}',
])
def test_bad_parameter_files_give_one_line_and_write_nothing(capsys, tmp_path, content):
    bad = tmp_path / "bad.json"
    bad.write_text(content)
    png = tmp_path / "out.png"
    code, out, err = run(capsys, "iv", str(bad), "--json", "--plot", str(png))
    assert code != 0 and out == ""
    assert err.startswith("mtcsn-hw: error: ") and err.count("\n") == 1 and "Traceback" not in err
    assert not png.exists() and sorted(p.name for p in tmp_path.iterdir()) == ["bad.json"]


def test_unknown_preset_and_missing_file(capsys, tmp_path):
    code, _, err = run(capsys, "iv", "--preset", "chaotic")
    assert code != 0 and "unknown preset" in err and err.count("\n") == 1
    code, _, err = run(capsys, "iv", str(tmp_path / "none.json"))
    assert code != 0 and "not found" in err


def test_help_of_every_subcommand(capsys):
    from mtcsn_hw.cli.main import SUBCOMMANDS
    for name in SUBCOMMANDS:
        cmd = name.rsplit(".", 1)[1]
        with pytest.raises(SystemExit) as exc:
            main([cmd, "--help"])
        assert exc.value.code == 0
        assert "usage: mtcsn-hw" in capsys.readouterr().out


def test_train_help_states_the_network_it_trains(capsys):
    from mtcsn_hw.training.config import DEFAULT_HIDDEN, TrainConfig
    with pytest.raises(SystemExit):
        main(["train", "--help"])
    text = " ".join(capsys.readouterr().out.split())
    assert f"{DEFAULT_HIDDEN['mtcsn']} MTCSN" in text and f"{DEFAULT_HIDDEN['lif']} LIF" in text
    assert f"{TrainConfig().iterations} iterations" in text


@pytest.mark.parametrize("model", ["mtcsn", "lif", "adlif"])
def test_train_defaults_are_the_models_own(model):
    """train --model X trains X's shipped size and regulariser (not the MTCSN's, the parser's first default)."""
    from mtcsn_hw.cli.main import build_parser
    from mtcsn_hw.training.config import DEFAULT_ACTIVITY_REG, DEFAULT_HIDDEN, TrainConfig
    a = build_parser().parse_args(["train", "--model", model, "--out", "unused"])
    cfg = TrainConfig(model=model, n_hidden=a.n_hidden)
    assert cfg.n_hidden == DEFAULT_HIDDEN[model]
    assert cfg.activity_reg == DEFAULT_ACTIVITY_REG[model]
