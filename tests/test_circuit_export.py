"""Export honours what shapes the model's output: a residual (autoregressive) checkpoint's circuit forecasts
one step ahead, residual included, in plain `ngspice -b`; what the circuit cannot represent is refused."""
import json
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest
import torch

from mtcsn_hw.checkpoint.reader import read_checkpoint
from mtcsn_hw.circuit.build import units_for
from mtcsn_hw.circuit.export import readout_times
from mtcsn_hw.cli.main import main
from mtcsn_hw.tasks import metrics as M
from mtcsn_hw.training.config import TrainConfig
from mtcsn_hw.training.run import train_and_save

REPO = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def ar_checkpoint(tmp_path_factory):
    torch.set_num_threads(1)
    out = tmp_path_factory.mktemp("ck") / "ar"
    # no activity regulariser: 30 iterations of 8 neurons under the shipped weight leave too few spikes to forecast
    train_and_save(TrainConfig(model="mtcsn", protocol="autoregressive", iterations=30, n_hidden=8, batch=8,
                               window=150, washout=30, activity_reg=0.0), out, progress=False)
    return out


@pytest.mark.skipif(shutil.which("ngspice") is None, reason="needs the ngspice program")
def test_autoregressive_circuit_forecasts_one_step_better_than_persistence(ar_checkpoint, tmp_path, capsys):
    steps, washout = 300, 50
    out = tmp_path / "ar.cir"
    assert main(["netlist", str(ar_checkpoint), "--t-end", str(steps), "--out", str(out), "--json"]) == 0
    info = json.loads(capsys.readouterr().out)
    assert "Bres_0 yout_0 0 V = v(yflt_0) + v(uin_0)" in out.read_text()     # the residual term is in
    proc = subprocess.run(["ngspice", "-b", out.name], capture_output=True, text=True, timeout=300, cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr[-500:]
    results = tmp_path / info["results_file"]
    names = results.read_text().split("\n", 1)[0].split()
    data = np.loadtxt(results, skiprows=1)
    ck = read_checkpoint(ar_checkpoint)
    units = units_for("behavioral")
    y = np.interp(readout_times(units, ck.sample_dt, steps), data[:, 0], data[:, names.index("v(yout_0)")])
    forecast = ck.normaliser.inverse(y)
    x, n0 = ck.series.x, ck.series.n_train
    truth = x[n0 + 1:n0 + steps + 1][washout:]
    smape_circuit = M.smape(forecast[washout:], truth)
    smape_persistence = M.smape(x[n0:n0 + steps][washout:], truth)
    print(f"one-step sMAPE: circuit {smape_circuit:.2f}, persistence {smape_persistence:.2f}")
    assert smape_circuit < smape_persistence


def test_checkpoints_the_circuit_cannot_represent_are_refused(tmp_path, capsys):
    out = tmp_path / "lif.cir"
    assert main(["netlist", str(REPO / "models" / "mg-lif"), "--out", str(out)]) != 0
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "only MTCSN" in err and not out.exists()


@pytest.mark.parametrize("extra, why", [({"layer": {"recurrent": True}}, "recurrent"),
                                        ({"input_lags": [6, 7]}, "delay line")])
def test_what_has_no_circuit_form_yet_is_refused(tmp_path, capsys, extra, why):
    ck = tmp_path / "ck"
    train_and_save(TrainConfig(model="mtcsn", protocol="autoregressive", iterations=1, n_hidden=4, batch=2,
                               window=60, washout=10, **extra), ck, progress=False)
    out = tmp_path / "ck.cir"
    assert main(["netlist", str(ck), "--out", str(out)]) != 0
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and why in err and not out.exists()


def test_unknown_protocol_is_refused(ar_checkpoint, tmp_path, capsys):
    bad = tmp_path / "bad"
    shutil.copytree(ar_checkpoint, bad)
    cfg = json.loads((bad / "config.json").read_text())
    (bad / "config.json").write_text(json.dumps({**cfg, "protocol": "closed-loop"}))
    out = tmp_path / "bad.cir"
    assert main(["netlist", str(bad), "--out", str(out)]) != 0
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "protocol" in err and not out.exists()
