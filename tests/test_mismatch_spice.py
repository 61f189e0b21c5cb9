"""The mismatch numbers against ngspice: the PDK's own Monte Carlo (mc_mm_switch = 1) and our injected
draws, on real sky130 devices (larger runs: bench/mismatch_crosscheck.py, docs/mismatch.md)."""
import dataclasses

import numpy as np
import pytest
from scipy import stats

from mtcsn_hw.circuit import ngspice
from mtcsn_hw.circuit.bench import DC, ISource, Op, VSource
from mtcsn_hw.circuit.families.sky130 import follower_params
from mtcsn_hw.circuit.mismatch import draw_table, load_spec
from mtcsn_hw.circuit.mismatch_behavioural import (
    fi_devices,
    fi_equivalent,
    ota_devices,
    ota_equivalent,
)
from mtcsn_hw.circuit.mismatch_check import (
    SENSITIVITY,
    bank_readout,
    native_bench,
    native_ota_bank,
    ota_bank,
    pelgrom_sigmas,
    sensitivities,
    sensitivity_bench,
)

pytestmark = pytest.mark.spice
SPEC = load_spec("sky130")


def _bank(bench, n: int, ib: float) -> dict:
    res = ngspice.run(bench)
    return bank_readout(res.v("inp", "dc"), np.array([res.i(f"Vo{k}", "dc") for k in range(n)]), ib)


def _chi2_bounds(n: int, q: float = 0.999):
    return tuple(np.sqrt(stats.chi2.ppf(p, n - 1) / (n - 1)) for p in ((1 - q) / 2, (1 + q) / 2))


def test_weak_inversion_sensitivities_are_the_recorded_ones():
    res = ngspice.run(sensitivity_bench())
    measured = sensitivities(lambda node: res.v(node, "op")[0])
    for dev, pars in SENSITIVITY.items():
        for par, value in pars.items():
            assert measured[dev][par] == pytest.approx(value, rel=0.02, abs=2e-3), (dev, par)


def test_trimmed_pdk_subcircuits_are_the_pdk_devices():
    """Without mismatch, the PDK subcircuits trimmed to the cells' bins give the whole ones' currents."""
    lines, sources = [], [VSource("Vdd", "vdd", "0", DC(1.8))]
    for k, (dev, w, l) in enumerate((("nfet_01v8", 2, 2), ("nfet_01v8", 2, 8), ("pfet_01v8", 4, 4))):  # noqa: E741
        rail = "vdd" if dev.startswith("p") else "0"
        lines.append(f"X{k} d{k} d{k} {rail} {rail} sky130_fd_pr__{dev} w={w} l={l}")
        sources.append(ISource(f"I{k}", *((f"d{k}", "0") if rail == "vdd" else ("0", f"d{k}")), DC(0.5e-9)))
    whole, trimmed = (ngspice.run(native_bench(1, "\n".join(lines), tuple(sources), (Op(),), mc=False, trimmed=t))
                      for t in (False, True))
    for k in range(3):
        assert 0.1 < abs(whole.v(f"d{k}", "op")[0] - (1.8 if k == 2 else 0)) < 1.2
        assert trimmed.v(f"d{k}", "op")[0] == pytest.approx(whole.v(f"d{k}", "op")[0], abs=1e-6)


def test_pdk_monte_carlo_device_spread_is_the_spec():
    """Diode-connected PDK devices with mc_mm_switch = 1: sigma of V_GS at the cells' currents is
    a_vt / sqrt(W L) (chi-square 99.9 % interval for the sample)."""
    n = 120
    lines, sources = [], [VSource("Vdd", "vdd", "0", DC(1.8))]
    for k in range(n):
        lines += [f"Xa{k} a{k} a{k} 0 0 sky130_fd_pr__nfet_01v8 w=2 l=2",
                  f"Xb{k} b{k} b{k} 0 0 sky130_fd_pr__nfet_01v8 w=2 l=8",
                  f"Xc{k} c{k} c{k} vdd vdd sky130_fd_pr__pfet_01v8 w=4 l=4"]
        sources += [ISource(f"Ia{k}", "0", f"a{k}", DC(0.5e-9)), ISource(f"Ib{k}", "0", f"b{k}", DC(1e-9)),
                    ISource(f"Ic{k}", f"c{k}", "0", DC(0.5e-9))]
    res = ngspice.run(native_bench(4, "\n".join(lines), tuple(sources), (Op(),)))
    lo, hi = _chi2_bounds(n)
    for node, kind, w, l in (("a", "nfet_01v8", 2, 2), ("b", "nfet_01v8", 2, 8), ("c", "pfet_01v8", 4, 4)):  # noqa: E741
        v = np.array([res.v(f"{node}{k}", "op")[0] for k in range(n)])
        ratio = np.std(v, ddof=1) / SPEC.sigma_vt(kind, w, l)
        assert lo < ratio < hi, (kind, w, l, ratio)


def test_pdk_monte_carlo_ota_offset_matches_pelgrom():
    """60 ota_sky130 copies of PDK subcircuits: input-offset sigma within 20 % of the spec's Pelgrom
    prediction; gain sigma (ideal reference currents here) within 20 % too."""
    n = 60
    got = _bank(native_ota_bank(n, seed=2), n, 1e-9)
    pred = pelgrom_sigmas(SPEC)
    no_bias = pelgrom_sigmas(dataclasses.replace(SPEC, bias_sigma=0.0))
    assert np.std(got["voff"], ddof=1) == pytest.approx(pred["ota_voff"], rel=0.2)
    assert np.std(got["gain"], ddof=1) / np.median(got["gain"]) == pytest.approx(no_bias["ota_gain"], rel=0.2)


def _chip_by_chip(cell: str, wide: float | None = None):
    """16 instances carrying a chip's draws (spec x1.5): measured (offset, gain) and their behavioural equivalents."""
    n = 16
    devices, equivalent = (ota_devices, ota_equivalent) if cell == "ota" else (fi_devices, fi_equivalent)
    table = draw_table(SPEC.scaled(1.5), 21, [d for k in range(n) for d in devices(f"Xo{k}")])
    follower = follower_params(1e-12, 100e-12, 0.025865, wide)
    ib, r = (1e-9, 0.0) if cell == "ota" else (follower["itail"], follower["r"])
    got, nominal = (_bank(ota_bank(m, cell, ib, tab, r=r), m, ib) for m, tab in ((n, table), (1, None)))
    extra = {} if cell == "ota" or wide is None else {"wide": wide}   # None: both take the family's widening
    pred = [equivalent(table, f"Xo{k}", **extra) for k in range(n)]
    key = "gain" if cell == "ota" else "gm"
    return (got["voff"] - nominal["voff"][0], np.array([p["voff"] for p in pred]),
            got[key] / nominal[key][0], np.array([p["gain"] for p in pred]))


@pytest.mark.parametrize("cell", ["ota", "fi"])
def test_behavioural_equivalents_follow_the_transistors_chip_by_chip(cell):
    """Each cell instance carrying a chip's draws (per-device delvto / mulu0, its reference scaled): its
    measured offset and gain are the behavioural equivalents of the same draws (follower widened x4)."""
    voff, voff_pred, gain, gain_pred = _chip_by_chip(cell, wide=4.0)
    assert np.sqrt(np.mean((voff - voff_pred) ** 2)) < 0.05 * np.std(voff_pred)
    assert np.sqrt(np.mean((gain - gain_pred) ** 2)) < 0.1 * np.std(gain_pred)
    assert np.std(voff_pred) > 0.005 and np.std(gain_pred) > 0.05     # the spreads are real, not zero


def test_follower_equivalent_at_the_family_widening():
    """At the family's widening (x8) the first-order degeneration terms overstate the follower's offset and
    gain spreads by ~10 % (measured/predicted 0.91 at x8, 0.97 at x4; docs/mismatch.md): chip by chip they
    still correlate (r >= 0.99) and the spreads agree within the 20 % asked of the behavioural stand-in."""
    voff, voff_pred, gain, gain_pred = _chip_by_chip("fi")
    for got, pred in ((voff, voff_pred), (gain, gain_pred)):
        assert np.corrcoef(got, pred)[0, 1] >= 0.99
        assert np.std(got) == pytest.approx(np.std(pred), rel=0.2)
