import math
import os

import pytest

from mtcsn_hw.circuit import edits, ngspice
from mtcsn_hw.circuit.bench import DC, IC, Bench, Capacitor, Op, Resistor, Tran, VSource
from mtcsn_hw.circuit.render import render_shared
from mtcsn_hw.errors import SimulationError, ToolMissingError


def test_library_is_found_and_exported_for_pyspice():
    path = ngspice.find_library()
    assert os.path.exists(path)
    ngspice._shared()
    assert os.environ["NGSPICE_LIBRARY_PATH"] == path


def test_missing_library_gives_install_command(monkeypatch):
    monkeypatch.setenv("NGSPICE_LIBRARY_PATH", "/nonexistent/libngspice.so")
    monkeypatch.setattr(ngspice.glob, "glob", lambda pattern: [])
    monkeypatch.setattr(ngspice.ctypes.util, "find_library", lambda name: None)
    with pytest.raises(ToolMissingError, match="apt-get install -y ngspice libngspice0"):
        ngspice.find_library()


def test_rc_transient_returns_vectors():
    rc = Bench(elements=(VSource("V1", "a", "0", DC(1.0)), Resistor("R1", "a", "b", 1e3),
                         Capacitor("C1", "b", "0", 1e-9)), ics=(IC("b", 0.0),), analyses=(Tran(10e-9, 5e-6),))
    res = ngspice.run(rc)
    t, vb = res.plot("tran")["time"], res.v("b")
    tau = 1e-6
    k = len(t) // 2
    assert abs(vb[k] - (1 - __import__("math").exp(-t[k] / tau))) < 1e-3
    assert t[-1] == pytest.approx(5e-6)


def test_stderr_notes_do_not_abort_a_converging_run():
    # An exponential with no junction limiting: plain Newton fails, ngspice's gmin stepping succeeds and
    # says so on stderr ("Note: Starting dynamic gmin stepping"), which PySpice would call an error.
    from scipy.optimize import brentq
    res = ngspice.run(Bench(raw="V1 b 0 5\nR1 b a 1\nB1 a 0 I = 1e-14*(exp(v(a)/0.025)-1)", analyses=(Op(),)),
                      retries=False)
    assert any(line.startswith("Note:") for line in res.stderr)
    exact = brentq(lambda v: (5 - v) - 1e-14 * (math.exp(v / 0.025) - 1), 0, 5)
    assert res.v("a", "op")[0] == pytest.approx(exact, rel=1e-4)


NONCONVERGING = Bench(title="a relay with no stable state", raw="""V1 in 0 PULSE(0 5 10u 1p 1p 1 2)
R1 in a 1
B1 a 0 I = v(a) > 1 ? 1e3 : -1e3
C1 a 0 1f""", analyses=(Tran(1e-6, 1e-3),))


def test_non_convergence_names_analysis_and_time_after_retries():
    with pytest.raises(SimulationError) as err:
        ngspice.run(NONCONVERGING)
    msg = str(err.value)
    assert "transient analysis" in msg and "t = " in msg
    assert f"{len(ngspice.RETRIES)} attempt" in msg


def test_parse_error_is_a_simulation_error():
    with pytest.raises(SimulationError, match="rejected"):
        ngspice.run(Bench(raw="M1 a b 0 0 nomodel", analyses=(Op(),)))


def test_retries_are_edits_of_the_bench():
    bench = Bench(raw="R1 a 0 1", analyses=(Tran(1e-6, 1e-3, 0.0, 1e-5),))
    smaller = ngspice.RETRIES[2][1](bench)
    assert smaller.tran().max_step == pytest.approx(1e-6) and bench.tran().max_step == 1e-5   # a new value
    assert edits.scale_max_step(Bench(analyses=(Tran(1e-6, 1e-3),)), 0.1).tran().max_step == pytest.approx(1e-6)
    text = render_shared(ngspice.RETRIES[3][1](bench))
    assert ".tran 1e-06 0.001 0 1e-06" in text
    assert "reltol=0.0001" in text and "method=gear" in text and text.count(".tran") == 1


def test_pwl_without_breakpoints_is_the_same_wave_with_fewer_time_points():
    """A PWL written as a behavioural source follows the same interpolation, holds its ends flat like a PWL
    source, and spares ngspice the restart at every corner."""
    import numpy as np

    from mtcsn_hw.circuit.bench import PWL, ISource

    rng = np.random.default_rng(3)
    times = 1e-6 * (np.arange(200) + 0.5)
    points = tuple(zip(times.tolist(), rng.normal(0.0, 1e-3, times.size).tolist(), strict=True))
    runs = {}
    for breakpoints in (True, False):
        bench = Bench(elements=(ISource("Id", "0", "a", PWL(points, breakpoints)), Resistor("R1", "a", "0", 1e3)),
                      analyses=(Tran(1e-7, 2.2e-4, 0.0, 1e-6),))
        res = ngspice.run(bench)
        runs[breakpoints] = (np.asarray(res.plot("tran")["time"]), np.asarray(res.v("a")))
    for t, v in runs.values():
        expected = 1e3 * np.interp(t, times, [p[1] for p in points])  # np.interp holds the ends flat too
        assert np.max(np.abs(v - expected)) < 1e-6 * np.max(np.abs(expected)) + 1e-9
        assert t[-1] > times[-1] + 1e-5 and t[0] < times[0]
    assert len(runs[False][0]) < 0.7 * len(runs[True][0])
