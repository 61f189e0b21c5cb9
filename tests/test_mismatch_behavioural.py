"""Behavioural equivalents of the sky130 cells' mismatch (pure functions; ngspice checks them in
tests/test_mismatch_spice.py)."""
import numpy as np
import pytest
from scipy import stats

from mtcsn_hw.circuit import cells
from mtcsn_hw.circuit.mismatch import draw_table, load_spec
from mtcsn_hw.circuit.mismatch_behavioural import (
    SIZES,
    draw_chip,
    fi_devices,
    fi_equivalent,
    ota_devices,
    ota_equivalent,
)
from mtcsn_hw.circuit.mismatch_check import pelgrom_sigmas
from mtcsn_hw.errors import ParameterError

SPEC = load_spec("sky130")


def test_sizes_are_the_cells():
    assert {k: tuple(float(x) for x in v) for k, v in cells.SIZES.items()} == SIZES


def test_one_chip_at_both_levels():
    """A behavioural OTA / filter gets the equivalents of exactly the draws its sky130 twin gets."""
    beh = draw_chip(SPEC, 4, {"Xe_0_fast_m/B1": ("tanh_ota", None, None),
                              "Xfs_0/G1": ("linear_transconductor", None, None), "Xfs_0/C1": ("capacitor", None, None)})
    tr = draw_chip(SPEC, 4, ota_devices("Xe_0_fast_m") + fi_devices("Xfs_0") + [("Xfs_0/C1", "capacitor", None, None)])
    assert beh["Xe_0_fast_m/B1"] == ota_equivalent(tr, "Xe_0_fast_m")
    assert beh["Xfs_0/G1"] == {"gain": fi_equivalent(tr, "Xfs_0")["gain"]}
    assert beh["Xfs_0/C1"] == tr["Xfs_0/C1"]
    assert set(beh["Xe_0_fast_m/B1"]) == {"voff", "gain"}


def test_nominal_draws_give_nominal_knobs():
    zero = {d.name: ({"scale": 1.0} if d.kind == "bias_reference" else {"delvto": 0.0, "mulu0": 1.0})
            for d in ota_devices("X") + fi_devices("Y")}
    assert ota_equivalent(zero, "X") == {"voff": 0.0, "gain": 1.0}
    assert fi_equivalent(zero, "Y") == {"gain": 1.0, "voff": 0.0}


@pytest.mark.parametrize("scale", [1.0, 3.0])
def test_behavioural_spreads_are_the_first_order_formulas(scale):
    """Over many chips the knobs' sigmas are docs/mismatch.md's formulas (first order: 10 % at scale 3)."""
    spec, n = SPEC.scaled(scale), 3000
    chips = draw_chip(spec, 1, {f"X{k}/B1": ("tanh_ota", None, None) for k in range(n)}
                      | {f"Y{k}/G1": ("linear_transconductor", None, None) for k in range(n)})
    pred = pelgrom_sigmas(spec)
    lo, hi = (np.sqrt(stats.chi2.ppf(q, n - 1) / (n - 1)) for q in (0.0005, 0.9995))
    tol = 0.02 * scale ** 2
    for key, knob, sigma in (("X", "voff", pred["ota_voff"]), ("X", "gain", pred["ota_gain"]),
                             ("Y", "gain", pred["fi_gain"])):
        x = np.array([chips[f"{key}{k}/{'B1' if key == 'X' else 'G1'}"][knob] for k in range(n)])
        ratio = np.std(x, ddof=1) / sigma
        assert lo - tol < ratio < hi + tol, (key, knob, ratio)


def test_fi_offset_formula_over_many_chips():
    n = 3000
    table = draw_table(SPEC, 3, [d for k in range(n) for d in fi_devices(f"Y{k}")])
    voff = np.array([fi_equivalent(table, f"Y{k}")["voff"] for k in range(n)])
    assert np.std(voff) == pytest.approx(pelgrom_sigmas(SPEC)["fi_voff"], rel=0.06)


def test_unknown_device_kind_is_an_error():
    with pytest.raises(ParameterError, match="no mismatch data"):
        draw_chip(SPEC, 1, {"X/Q1": ("npn", 1, 1)})
