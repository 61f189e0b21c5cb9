"""Robust retraining end to end on a tiny network: the CLI writes a checkpoint that evaluate and netlist read and
whose netlist runs in real ngspice; a circuit chip mapped onto the model is that chip (real ngspice, behavioural
level); bad input is one line on stderr, a non-zero exit and nothing written."""
import json
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest
import torch

from mtcsn_hw.checkpoint.reader import read_checkpoint
from mtcsn_hw.circuit.build import network_spec, units_for
from mtcsn_hw.circuit.devices import apply_device_params
from mtcsn_hw.circuit.mismatch import load_spec
from mtcsn_hw.circuit.mismatch_behavioural import draw_chip
from mtcsn_hw.circuit.network import network_bench
from mtcsn_hw.circuit.simulate import run_transient
from mtcsn_hw.cli.main import main
from mtcsn_hw.retraining.circuit_chips import chip_devices, circuit_chip
from mtcsn_hw.training.checkpoint import load_checkpoint
from mtcsn_hw.training.config import TrainConfig
from mtcsn_hw.training.evaluate import evaluate_checkpoint
from mtcsn_hw.training.mismatch import Perturbation
from mtcsn_hw.training.run import train_and_save

REPO = Path(__file__).resolve().parents[1]
NGSPICE = pytest.mark.skipif(shutil.which("ngspice") is None, reason="needs the ngspice program")


@pytest.fixture(scope="module")
def tiny(tmp_path_factory):
    torch.set_num_threads(1)
    out = tmp_path_factory.mktemp("ck") / "tiny"
    train_and_save(TrainConfig(model="mtcsn", horizon=5, n_hidden=4, iterations=3, batch=2, window=60, washout=10,
                               layer={"dt": 0.25, "substeps": 4}), out, progress=False)
    return out


@NGSPICE
def test_retrain_robust_writes_a_checkpoint_whose_netlist_runs_in_ngspice(tiny, tmp_path, capsys):
    out = tmp_path / "robust"
    assert main(["retrain", str(tiny), "--robust", "--scale", "2", "--seed", "3", "--iterations", "4",
                 "--chips", "3", "--out", str(out), "--json"]) == 0
    result = json.loads(capsys.readouterr().out)
    ck = read_checkpoint(out)
    robust = ck.config["robust"]
    assert robust["scale"] == 2.0 and robust["seed"] == 3 and robust["spec"]["technology"] == "sky130"
    assert robust["spreads"]["delta"] > 0 and ck.config["iterations"] == 4
    before, after = np.asarray(read_checkpoint(tiny).params["input_weights"]), np.asarray(ck.params["input_weights"])
    assert not np.allclose(before, after)                                   # it trained
    assert evaluate_checkpoint(out)["smape"] == pytest.approx(result["smape"], rel=1e-6)
    chips = ck.metrics["mismatch_chips"]
    assert chips["robust"]["seeds"] == [1000, 1001, 1002] == chips["source"]["seeds"]
    cir = tmp_path / "robust.cir"
    assert main(["netlist", str(out), "--level", "behavioral", "--t-end", "30", "--out", str(cir), "--json"]) == 0
    info = json.loads(capsys.readouterr().out)
    proc = subprocess.run(["ngspice", "-b", cir.name], capture_output=True, text=True, timeout=300, cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr[-500:]
    data = np.loadtxt(tmp_path / info["results_file"], skiprows=1)
    assert data.shape[0] > 10 and np.isfinite(data).all()


def _rest_error(layer, vm_end, chip, settled) -> float:
    """Largest |model - circuit| resting voltage over the settled neurons (model units), the model's rest exact."""
    p = layer.stacked() if chip is None else chip.apply(layer.stacked())
    with torch.no_grad():
        rest, _ = layer.initial_state(1, p)
    return float(np.max(np.abs(rest[0].double().numpy() - vm_end)[settled]))


@NGSPICE
def test_a_circuit_chip_mapped_onto_the_model_is_that_chip(tiny):
    """Rest voltages at zero input (DC, so the model's dt plays no part): chip seed S of the spec drawn by the
    circuit, against the model with circuit_chip(S) mapped onto it, nominal, and with the offsets' sign flipped."""
    units, data, ck = units_for("behavioral"), read_checkpoint(tiny), load_checkpoint(tiny)
    neurons = data.neurons()
    spec = load_spec("sky130").scaled(4.0)          # offsets of ~0.4 V0: each neuron's rest moves visibly
    net = network_spec(neurons, np.asarray(data.params["input_weights"]).reshape(-1, 1), data.params["input_bias"],
                       np.zeros((300, 1)), 1.0)
    bench = network_bench(net, units)
    layer, n_settled = ck.model.hidden.layer, 0
    for seed in (1000, 1001, 1002):
        tr = run_transient(apply_device_params(bench, draw_chip(spec, seed, chip_devices(data, units))), units,
                           len(neurons))
        vm = units.to_model_v(tr.vm[tr.t > 0.8 * tr.t[-1]])
        settled = np.ptp(vm, axis=0) < 1e-2        # a chip's neuron can lose its stable rest: it spikes
        n_settled += int(settled.sum())
        if not settled.any():
            continue
        vm_end = vm[-1]
        chip = circuit_chip(data, spec, seed, units)
        flipped = Perturbation(chip.alpha_gain, -chip.delta_shift, chip.tau_gain, chip.c_gain)
        err_chip, err_nominal, err_flipped = (_rest_error(layer, vm_end, c, settled) for c in (chip, None, flipped))
        print(f"chip {seed}: rest error model vs circuit: mapped chip {err_chip:.4f}, nominal {err_nominal:.4f}, "
              f"offsets flipped {err_flipped:.4f} (V0)")
        assert err_chip < 0.01 and err_nominal > 10 * err_chip and err_flipped > 10 * err_chip
    assert n_settled >= 6


def _spec_file(tmp_path, **change) -> Path:
    data = json.loads((REPO / "calibration" / "mismatch" / "sky130.json").read_text())
    for key, value in change.items():
        if key == "a_vt":
            data["devices"]["nfet_01v8"]["a_vt_mv_um"] = value
        else:
            data[key] = value
    path = tmp_path / "spec.json"
    path.write_text(json.dumps(data))
    return path


@pytest.mark.parametrize("case,needle", [
    ("negative", "a_vt_mv_um"), ("nan", "a_vt_mv_um"), ("technology", "unknown technology"),
    ("format", "format must be"), ("lif", "needs an MTCSN checkpoint"), ("both", "exclusive"),
    ("neither", "--robust or --calibration"), ("iterations", "iterations must be >= 1")])
def test_bad_input_is_one_line_and_writes_nothing(tiny, tmp_path, capsys, case, needle):
    source, extra = str(tiny), ["--robust"]
    if case == "negative":
        extra += ["--mismatch", str(_spec_file(tmp_path, a_vt=-1.0))]
    elif case == "nan":
        extra += ["--mismatch", str(_spec_file(tmp_path, a_vt=float("nan")))]
    elif case == "technology":
        extra += ["--mismatch", str(_spec_file(tmp_path, technology="gf180"))]
    elif case == "format":
        extra += ["--mismatch", str(_spec_file(tmp_path, format="mtcsn-hw/mismatch/0"))]
    elif case == "lif":
        source = str(REPO / "models" / "mg-lif")
    elif case == "both":
        extra += ["--calibration", str(tmp_path)]
    elif case == "neither":
        extra = []
    iterations = "0" if case == "iterations" else "1"
    out = tmp_path / "new" / "robust"
    assert main(["retrain", source, *extra, "--iterations", iterations, "--chips", "1", "--out", str(out)]) != 0
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and needle in err and "Traceback" not in err
    assert not out.exists() and not out.parent.exists()


@pytest.mark.skipif(not (REPO / "models" / "mg-mtcsn-robust").is_dir(), reason="no shipped robust model")
def test_shipped_robust_model_evaluates_to_its_metrics_and_records_its_recipe(capsys):
    path = REPO / "models" / "mg-mtcsn-robust"
    ck = read_checkpoint(path)
    robust = ck.config["robust"]
    assert robust["spec"]["format"] == "mtcsn-hw/mismatch/1" and robust["scale"] > 0 and robust["seed"] >= 0
    assert set(robust["spreads"]) == {"alpha", "delta", "tau", "c"}
    assert main(["evaluate", str(path), "--json"]) == 0
    result = json.loads(capsys.readouterr().out)
    assert result["smape"] == pytest.approx(ck.metrics["smape"], rel=1e-6)
    chips = ck.metrics["mismatch_chips"]
    assert chips["robust"]["seeds"] == chips["source"]["seeds"] and len(chips["robust"]["seeds"]) >= 20
