"""Benches are values rendered by one module: edits return new benches, names are checked, and no other
module of the package writes analysis or control directives."""
import re
from pathlib import Path

import pytest

from mtcsn_hw.circuit import edits
from mtcsn_hw.circuit.bench import DC, Bench, Dc, Op, Options, Tran, VSource
from mtcsn_hw.circuit.build import units_for
from mtcsn_hw.circuit.iv import element_iv_bench, iv_bench, neuron_bench
from mtcsn_hw.circuit.render import render_file, render_shared
from mtcsn_hw.errors import ParameterError
from mtcsn_hw.model.presets import preset

PACKAGE = Path(__file__).resolve().parents[1] / "mtcsn_hw"
DIRECTIVE = re.compile(r"""["'{(]\s*\.(tran|dc|op|control|endc|ic|options?|temp)\b""", re.I)


def test_only_the_renderer_writes_directives():
    writers = {p.relative_to(PACKAGE).as_posix() for p in PACKAGE.rglob("*.py") if DIRECTIVE.search(p.read_text())}
    assert writers == {"circuit/render.py"}


def test_edits_return_new_benches():
    units = units_for("transistor")
    bench = neuron_bench(preset("bursting"), units)
    clamped = edits.clamp(bench, "vs_0", 0.8)
    assert clamped is not bench and len(clamped.elements) == len(bench.elements) + 1
    assert "Vclamp_vs_0 vs_0 0 DC 0.8" in render_shared(clamped) and "Vclamp_vs_0" not in render_shared(bench)
    dropped = edits.drop(bench, "Xfs_0")
    assert dropped.instance("Xfs_0") is None and bench.instance("Xfs_0") is not None
    assert "DC -1e-09" in render_shared(edits.replace_source(bench, "Iapp_0", DC(-1e-9)))
    with pytest.raises(ParameterError):
        edits.drop(bench, "Xnope")
    with pytest.raises(ParameterError):
        edits.set_params(bench, "Xe_0_fast_m", {"wrong": 1.0})


def test_iv_benches_are_edits_of_the_neuron_bench():
    units = units_for("behavioral")
    p = preset("bursting")
    fast = iv_bench(p, units, 0.0, -1.0)
    names = {i.name for i in fast.instances()}
    assert "Xfs_0" not in names and "Xfus_0" not in names and "Xe_0_fast_m" in names
    assert fast.analyses == (Dc("Vsweep", units.volt(-4.0), units.volt(4.0), units.volts_delta(0.02)),)
    assert not fast.ics and fast.tran() is None
    el = element_iv_bench(p, units)
    text = render_shared(el)
    assert ".subckt neuron_0" not in text and "Xe_0_slow_p out_slow_p ref_0_slow_p vx ota_beh" in text


@pytest.mark.parametrize("bad", ["a b", "x\n.control", "v;rm", ""])
def test_render_checks_every_name(bad):
    with pytest.raises(ParameterError):
        render_shared(Bench(elements=(VSource(bad, "a", "0", DC(1.0)),), analyses=(Op(),)))
    with pytest.raises(ParameterError):
        render_shared(Bench(elements=(VSource("V1", bad, "0", DC(1.0)),), analyses=(Op(),)))


def test_render_checks_numbers_options_and_files():
    with pytest.raises(ParameterError):
        render_shared(Bench(analyses=(Tran(1e-6, float("inf")),)))
    with pytest.raises(ParameterError):
        render_shared(Bench(options=(Options((("reltol", "1\n.control"),)),)))
    with pytest.raises(ParameterError):
        render_file(Bench(analyses=(Op(),)), "x;shell.out")
    text = render_file(Bench(elements=(VSource("V1", "a", "0", DC(1.0)),), analyses=(Op(),), saves=("v(a)",)), "r.out")
    assert text.count(".control") == 1 and "wrdata r.out v(a)" in text
    assert ".control" not in render_shared(Bench(analyses=(Op(),)))
