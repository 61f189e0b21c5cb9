"""Netlist export: plain `ngspice -b` == PySpice path, injection attempts rejected, CLI contract."""
import json
import math
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest

from mtcsn_hw.circuit import shipped
from mtcsn_hw.circuit.build import network_spec, neuron_spec, units_for
from mtcsn_hw.circuit.compare import upward_crossings
from mtcsn_hw.circuit.export import export
from mtcsn_hw.circuit.mapping import spice_id
from mtcsn_hw.circuit.netlist import NetworkSpec, Stimulus, write_netlist
from mtcsn_hw.circuit.network import network_bench
from mtcsn_hw.circuit.simulate import run_transient
from mtcsn_hw.cli.main import main
from mtcsn_hw.errors import ParameterError
from mtcsn_hw.model.params import Element, NeuronParams
from mtcsn_hw.model.presets import preset

REPO = Path(__file__).resolve().parents[1]


@pytest.mark.skipif(shutil.which("ngspice") is None, reason="needs the ngspice program")
@pytest.mark.parametrize("level", ["behavioral", "transistor"])
def test_plain_ngspice_gives_the_same_spikes_as_pyspice(tmp_path, level):
    units = units_for(level)
    spec = neuron_spec(preset("tonic"), "tonic", t_end=400.0)
    path = tmp_path / "tonic.cir"
    export(spec, units, path)
    proc = subprocess.run(["ngspice", "-b", str(path)], capture_output=True, text=True, timeout=300, cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr[-500:]
    data = np.loadtxt(tmp_path / "tonic.out", skiprows=1)
    plain = upward_crossings(data[:, 0], data[:, 1], units.volt(0.0))
    shared = run_transient(network_bench(spec, units), units, 1).spikes[0]
    assert len(plain) >= 5
    assert len(plain) == len(shared)
    assert np.max(np.abs(plain - shared)) < 0.01 * units.tau0


def test_network_netlist_has_named_nodes_and_pwl_inputs(tmp_path):
    rng = np.random.default_rng(3)
    neurons = [preset("bursting"), preset("tonic").replace(i_app=0.0)]
    spec = network_spec(neurons, rng.normal(size=(2, 3)), [-2.0, -0.5], rng.normal(size=(20, 3)), dt=5.0,
                        readout_weights=rng.normal(size=(1, 2)))
    text = write_netlist(spec, units_for("behavioral"))
    for node in ("vm_0", "vs_0", "vus_0", "vm_1", "vs_1", "yout_0"):
        assert f" {node} " in text or f"v({node})" in text
    assert text.count("PWL(") == 3 and text.count("Gin_") == 6  # one source per input, a VCCS per weight
    tr = run_transient(network_bench(spec, units_for("behavioral")), units_for("behavioral"), 2)
    assert tr.vm.shape[1] == 2 and np.all(np.isfinite(tr.vm))


@pytest.mark.parametrize("bad", ["a;b", "x\n.control", "1abc", "a b", "a*b"])
def test_bad_element_names_never_reach_a_netlist(bad):
    with pytest.raises(ParameterError):
        spice_id(bad)
    with pytest.raises(ParameterError):
        NeuronParams(elements=[Element(bad, -2.0, 0.0, 0.0)])


def test_names_with_plus_minus_are_mapped():
    assert spice_id("slow+") == "slow_p" and spice_id("fast-") == "fast_m"


def test_non_finite_numbers_are_rejected():
    units = units_for("behavioral")
    p = preset("tonic")
    p.elements[0].alpha = float("nan")  # bypass the constructor, as a buggy caller might
    with pytest.raises(ParameterError):
        write_netlist(NetworkSpec([p], 100.0), units)
    good = preset("tonic")
    with pytest.raises(ParameterError):
        write_netlist(NetworkSpec([good], 100.0, Stimulus(np.array([0.0, math.inf]), 1.0)), units)
    with pytest.raises(ParameterError):
        write_netlist(NetworkSpec([good], float("nan")), units)


def test_title_and_output_path_are_sanitised(tmp_path):
    spec = neuron_spec(preset("tonic"), "tonic", t_end=50.0)
    spec.title = "x\n.control\nshell rm -rf /\n.endc"
    text = write_netlist(spec, units_for("behavioral"), out_path=tmp_path / "we ird;name.cir")
    live = [line for line in text.splitlines() if not line.startswith("*")]
    assert sum(line.strip().lower().startswith(".control") for line in live) == 1
    assert not any("shell" in line or "rm -rf" in line for line in live)
    assert "we ird;name" not in text


def test_cli_netlist_and_simulate(tmp_path, capsys):
    out = tmp_path / "b.cir"
    assert main(["netlist", "--preset", "tonic", "--level", "behavioral", "--t-end", "300", "--out", str(out),
                 "--json"]) == 0
    info = json.loads(capsys.readouterr().out)
    assert out.exists() and info["neurons"] == 1 and info["units"]["tau0"] == pytest.approx(
        info["units"]["c_m"] * info["units"]["v0"] / info["units"]["i0"])
    assert main(["simulate", str(out), "--json"]) == 0
    sim = json.loads(capsys.readouterr().out)
    n = sim["neurons"][0]
    assert n["n_spikes"] >= 4
    assert np.allclose(np.array(n["spike_times_s"]) / sim["units"]["tau0"], n["spike_times_model"])
    assert sim["t_end_model"] == pytest.approx(300.0, rel=1e-6)


def test_cli_errors_are_one_line_and_leave_no_file(tmp_path, capsys):
    out = tmp_path / "x.cir"
    assert main(["netlist", "--preset", "nope", "--out", str(out)]) != 0
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "unknown preset" in err
    assert not out.exists()
    assert main(["netlist", "--preset", "tonic", "--corner", "tt", "--temp", "nan", "--out", str(out)]) != 0
    assert not out.exists()


def test_committed_cell_library_is_the_generated_one(tmp_path):
    shipped.write_library(tmp_path)
    for path in tmp_path.glob("*.sub"):
        committed = REPO / "netlists" / "lib" / path.name
        assert committed.exists(), "run: python -m mtcsn_hw.circuit.shipped"
        assert committed.read_text() == path.read_text()


@pytest.mark.skipif(not (REPO / "models" / "mg-mtcsn" / "params.json").exists(), reason="no shipped MTCSN model")
def test_shipped_checkpoint_exports_and_simulates(tmp_path, capsys):
    out = tmp_path / "mg.cir"
    assert main(["netlist", str(REPO / "models" / "mg-mtcsn"), "--t-end", "60", "--out", str(out), "--json"]) == 0
    info = json.loads(capsys.readouterr().out)
    text = out.read_text()
    n = info["neurons"]
    assert n > 1 and text.count("PWL(") == 1 and text.count("Gin_") == n
    assert "Bout_0 yraw_0" in text and "Clp_0 yout_0" in text
    assert main(["simulate", str(out), "--json"]) == 0
    sim = json.loads(capsys.readouterr().out)
    assert len(sim["neurons"]) == n and sim["t_end_model"] == pytest.approx(60.0, rel=1e-6)


def test_network_inputs_drive_neurons_as_in_the_model():
    """Two tonic neurons driven by W u(t) + b (zero-order hold, 10 model units a sample): behavioural
    circuit spike times against the model integrating the same currents."""
    from mtcsn_hw.model.neuron import simulate_neuron
    from mtcsn_hw.model.spike_metrics import coincidence_factor
    rng = np.random.default_rng(7)
    neurons = [preset("tonic"), preset("tonic")]
    w, b = np.array([[0.4], [-0.3]]), np.array([-0.5, -0.4])
    u, dt = rng.uniform(-1, 1, size=(60, 1)), 10.0
    u[0] = 0.0      # both start at rest for the bias alone: the circuit as the trained layer does, the reference
    spec = network_spec(neurons, w, b, u, dt)
    units = units_for("behavioral")
    tr = run_transient(network_bench(spec, units), units, 2)
    fine = 0.01
    drive = np.repeat(u @ w.T + b, int(dt / fine), axis=0)
    ref = simulate_neuron(neurons, i_app=drive, dt=fine, kick=0.0)   # at rest for its first drive
    for k in range(2):
        got = units.to_model_t(tr.spikes[k])
        want = ref.spike_times[k].numpy()
        assert len(want) >= 5
        assert coincidence_factor(want, got, 2.0, len(u) * dt) >= 0.9


def test_each_neuron_is_a_cell_with_one_block_per_conductance():
    p = preset("bursting")
    for level in ("behavioral", "transistor"):
        text = write_netlist(neuron_spec(p, "bursting"), units_for(level))
        cell = text[text.index(".subckt neuron_0"):text.index(".ends neuron_0")]
        assert cell.splitlines()[0].split()[2:5] == ["vm_0", "vs_0", "vus_0"]
        assert sum(ln.startswith("Xe_0_") for ln in cell.splitlines()) == len(p.elements)
        assert sum(ln.startswith("Vref_0_") for ln in cell.splitlines()) == len(p.elements)
        assert "\nXn_0 vm_0 vs_0 vus_0" in text


def test_checkpoint_export_holds_each_sample_for_the_layers_substeps():
    """A layer with 4 substeps of dt 0.5 holds each input sample for 2 model time units: the netlist's
    stimulus and simulated time must follow, and so must the readout filter's time constant."""
    import dataclasses

    from mtcsn_hw.checkpoint.reader import read_checkpoint
    from mtcsn_hw.circuit.export import checkpoint_spec
    ck = read_checkpoint(REPO / "models" / "mg-mtcsn")
    base = checkpoint_spec(ck, 50)
    ck = dataclasses.replace(ck, params={**ck.params, "layer": {**ck.params["layer"], "dt": 0.5, "substeps": 4}})
    spec = checkpoint_spec(ck, 50)
    assert spec.stimulus.dt == 2.0 and spec.t_end == 50 * 2.0
    assert base.readout.tau > 0 and spec.readout.tau == pytest.approx(2.0 * base.readout.tau)


def test_shipped_netlists_are_the_regenerated_ones(tmp_path):
    """netlists/presets/*.cir and netlists/mg-mtcsn_*.cir come from the cell descriptions
    (regenerate with: python -m mtcsn_hw.circuit.shipped)."""
    from mtcsn_hw.circuit.export import checkpoint_dir_spec
    from mtcsn_hw.model.presets import PRESET_NAMES
    models = [m for m in shipped.MODELS if (REPO / "models" / m).is_dir()]
    assert "mg-mtcsn" in models
    for level in ("behavioral", "transistor"):
        for name in PRESET_NAMES:
            path = REPO / "netlists" / "presets" / f"{name}_{level}.cir"
            assert path.read_text() == write_netlist(neuron_spec(preset(name), name), units_for(level), out_path=path)
        for model in models:
            path = REPO / "netlists" / f"{model}_{level}.cir"
            spec = checkpoint_dir_spec(REPO / "models" / model)
            assert path.read_text() == write_netlist(spec, units_for(level), out_path=path)


@pytest.mark.skipif(shutil.which("ngspice") is None, reason="needs the ngspice program")
def test_shipped_preset_netlist_runs_in_plain_ngspice(tmp_path):
    shutil.copy(REPO / "netlists" / "presets" / "tonic_transistor.cir", tmp_path)
    proc = subprocess.run(["ngspice", "-b", "tonic_transistor.cir"], capture_output=True, text=True, timeout=300,
                          cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr[-500:]
    data = np.loadtxt(tmp_path / "tonic_transistor.out", skiprows=1)
    assert upward_crossings(data[:, 0], data[:, 1], 0.9).size >= 10     # vm_0 spikes


def test_simulate_refuses_a_run_that_would_not_finish(tmp_path, capsys):
    from mtcsn_hw.circuit.runtime import NEURON_SECONDS_PER_WALL_SECOND, estimate_wall_seconds
    assert main(["simulate", "--preset", "tonic", "--level", "transistor", "--t-end", "1e12", "--json"]) != 0
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "would take about" in err and "years" in err
    units = units_for("transistor")
    expected = units.seconds(1e12) / NEURON_SECONDS_PER_WALL_SECOND["transistor"]
    assert estimate_wall_seconds("transistor", 1, units.seconds(1e12)) == pytest.approx(expected)
    # a netlist file carries its level, neuron count and stop time: refused from its header alone
    out = tmp_path / "long.cir"
    assert main(["netlist", "--preset", "tonic", "--t-end", "1e12", "--out", str(out)]) == 0
    capsys.readouterr()
    assert main(["simulate", str(out)]) != 0
    assert "would take about" in capsys.readouterr().err


def test_netlist_file_without_units_line_is_refused(tmp_path, capsys):
    path = tmp_path / "foreign.cir"
    path.write_text("* not ours\nR1 a 0 1\n.op\n.end\n")
    assert main(["simulate", str(path)]) != 0
    assert "not written by mtcsn-hw" in capsys.readouterr().err
