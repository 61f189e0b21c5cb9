import json
from pathlib import Path

import numpy as np
import pytest
import torch

from mtcsn_hw.cli.main import main
from mtcsn_hw.errors import CheckpointError
from mtcsn_hw.model.params import NeuronParams
from mtcsn_hw.tasks.mackey_glass import neurobench_series
from mtcsn_hw.training.checkpoint import FILES, load_checkpoint, save_checkpoint
from mtcsn_hw.training.config import TrainConfig
from mtcsn_hw.training.evaluate import metrics, predict
from mtcsn_hw.training.loop import fit

ROOT = Path(__file__).resolve().parents[1]
TINY = ["--iterations", "3", "--n-hidden", "4", "--window", "40", "--batch", "2", "--washout", "5", "--horizon", "5",
        "--quiet"]


@pytest.fixture(scope="module")
def trained(tmp_path_factory):
    out = tmp_path_factory.mktemp("ck") / "tiny-lif"
    assert main(["train", "--model", "lif", "--out", str(out), *TINY]) == 0
    return out


def one_error_line(capsys, code):
    err = capsys.readouterr().err
    assert code != 0
    assert len(err.strip().splitlines()) == 1 and "Traceback" not in err
    return err


@pytest.mark.parametrize("model", ["mtcsn", "adlif"])
def test_save_load_gives_identical_predictions(tmp_path, model):
    s = neurobench_series(train_lyap=2, test_lyap=1, extra=5)
    cfg = TrainConfig(model=model, horizon=5, n_hidden=6, iterations=2, batch=2, window=40, washout=5)
    net, _, norm, _ = fit(cfg, series=s, progress=False)
    before = predict(net, s, norm, "direct", 5)
    save_checkpoint(tmp_path / "m", net, cfg, s, norm, metrics(before, net.binary))
    ck = load_checkpoint(tmp_path / "m")
    after = predict(ck.model, ck.series, ck.normaliser, "direct", 5)
    assert np.array_equal(before["y_pred"], after["y_pred"]) and np.array_equal(before["events"], after["events"])
    assert ck.config == cfg
    assert torch.equal(ck.model.hidden.w_in, net.hidden.w_in)
    if model == "mtcsn":
        neurons = [NeuronParams.from_dict(d) for d in ck.params["neurons"]]
        assert len(neurons) == 6
        assert neurons[2].i_app == pytest.approx(float(net.hidden.bias.detach()[2]))
        assert neurons[0].to_dict() == net.hidden.layer.neuron_params()[0].to_dict()


def test_train_writes_a_complete_checkpoint_and_evaluate_reproduces_it(trained, tmp_path, capsys):
    assert sorted(p.name for p in trained.iterdir()) == sorted(FILES)
    stored = json.loads((trained / "metrics.json").read_text())
    capsys.readouterr()
    pred_file = tmp_path / "pred.npz"
    assert main(["evaluate", str(trained), "--json", "--predictions", str(pred_file)]) == 0
    result = json.loads(capsys.readouterr().out)
    for key in ("smape", "nrmse", "spike_rate", "nonzero_fraction", "synops_effective"):
        assert result[key] == pytest.approx(stored[key], rel=1e-9)
    with np.load(pred_file, allow_pickle=False) as d:
        from mtcsn_hw.tasks.metrics import smape
        assert smape(d["y_pred"], d["y_true"]) == pytest.approx(result["smape"], rel=1e-9)
    with np.load(trained / "data.npz", allow_pickle=False) as d:
        assert d["x"].shape == (750 + 750 + 5,)


def test_missing_checkpoint_is_one_clear_line(tmp_path, capsys):
    pred = tmp_path / "pred.npz"
    code = main(["evaluate", str(tmp_path / "nope"), "--json", "--predictions", str(pred)])
    err = one_error_line(capsys, code)
    assert "no checkpoint" in err and not pred.exists()


@pytest.mark.parametrize("victim,damage", [
    ("weights.safetensors", b"\x00\x01garbage"),
    ("config.json", b"{not json"),
    ("data.npz", b"PK\x03\x04 broken zip"),
    ("config.json", b'{"model": "lif", "n_hidden": 5}'),  # valid JSON, weights of another shape
])
def test_corrupt_checkpoint_is_one_clear_line(trained, tmp_path, capsys, victim, damage):
    broken = tmp_path / "broken"
    broken.mkdir()
    for f in FILES:
        (broken / f).write_bytes((trained / f).read_bytes())
    (broken / victim).write_bytes(damage)
    pred = tmp_path / "pred.npz"
    code = main(["evaluate", str(broken), "--predictions", str(pred)])
    err = one_error_line(capsys, code)
    assert str(broken) in err and not pred.exists()
    with pytest.raises(CheckpointError):
        load_checkpoint(broken)


def test_missing_file_is_named(trained, tmp_path, capsys):
    broken = tmp_path / "partial"
    broken.mkdir()
    (broken / "config.json").write_bytes((trained / "config.json").read_bytes())
    err = one_error_line(capsys, main(["evaluate", str(broken)]))
    assert "weights.safetensors" in err


def test_failed_training_leaves_no_output(tmp_path, capsys):
    out = tmp_path / "never"
    err = one_error_line(capsys, main(["train", "--model", "lif", "--out", str(out), *TINY[:-3], "--horizon", "0"]))
    assert "horizon" in err and not out.exists() and list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("name", ["mg-mtcsn", "mg-lif", "mg-adlif"])
def test_shipped_checkpoints_evaluate_to_their_stored_metrics(name, capsys):
    path = ROOT / "models" / name
    ck = load_checkpoint(path)
    assert ck.config == TrainConfig(model=ck.config.model, seed=ck.config.seed)  # trained with the defaults
    assert main(["evaluate", str(path), "--json"]) == 0
    result = json.loads(capsys.readouterr().out)
    for key in ("smape", "nrmse", "spike_rate", "nonzero_fraction", "synops_effective"):
        assert result[key] == pytest.approx(ck.metrics[key], rel=1e-6, abs=1e-9)


def test_training_reads_checkpoints_through_the_one_reader(trained, tmp_path):
    from mtcsn_hw.checkpoint import read_checkpoint
    ck = load_checkpoint(trained)
    data = read_checkpoint(trained)
    assert ck.data.config == data.config and ck.params == data.params and ck.metrics == data.metrics
    assert ck.normaliser == data.normaliser and ck.config.to_dict() == data.config
    # a cross-file inconsistency only the reader checks: params.json written for another model
    broken = tmp_path / "mixed"
    broken.mkdir()
    for f in FILES:
        (broken / f).write_bytes((trained / f).read_bytes())
    params = json.loads((trained / "params.json").read_text())
    (broken / "params.json").write_text(json.dumps({**params, "model": "adlif"}))
    with pytest.raises(CheckpointError, match="params.json is for model 'adlif'"):
        load_checkpoint(broken)


@pytest.mark.parametrize("name", ["mtcsn-autoregressive-s0", "lif-autoregressive-s1", "adlif-direct-s2"])
def test_recorded_runs_evaluate_to_their_stored_metrics(name):
    from mtcsn_hw.training.evaluate import evaluate_checkpoint
    path = ROOT / "runs" / "mg" / name
    result = evaluate_checkpoint(path)
    stored = json.loads((path / "metrics.json").read_text())
    assert result["protocol"] == name.split("-")[1]
    # float32 kernels differ between CPUs in the last bit, and a free run of a chaotic series amplifies it:
    # recorded on an AMD EPYC, this MTCSN's 750-step free run gives an NRMSE 1.2e-6 higher on an Intel Xeon
    rel = 1e-5 if result["protocol"] == "autoregressive" else 1e-6
    for key in ("smape", "nrmse", "spike_rate", "nonzero_fraction", "synops_effective"):
        assert result[key] == pytest.approx(stored[key], rel=rel, abs=1e-9)
