"""Mismatch spec, seeded per-device draws and the table file (pure functions: no simulator)."""
import json
import subprocess
import sys

import numpy as np
import pytest
from scipy import stats

from mtcsn_hw.circuit.mismatch import Device, draw_table, load_spec, load_table, save_table, spec_from_json
from mtcsn_hw.circuit.mismatch_check import effective_a_vt, pdk_slopes
from mtcsn_hw.errors import ParameterError

SPEC = load_spec("sky130")


def _devices(n=40):
    out = []
    for k in range(n):
        out += [Device(f"Xe_{k}_fast_m/M1", "nfet_01v8", 2, 2), Device(f"Xe_{k}_fast_m/M3", "pfet_01v8", 4, 4),
                Device(f"Xe_{k}_fast_m/IB", "bias_reference"), Device(f"Xfs_{k}/C1", "capacitor")]
    return out


def test_shipped_spec_is_derived_from_the_pdk_files():
    """a_vt: the PDK's subthreshold slopes, read from its files, weighted by their weak-inversion
    sensitivities and added in quadrature; a_beta: the PDK's toxe slope."""
    for kind in ("nfet_01v8", "pfet_01v8"):
        slopes = pdk_slopes(kind)
        assert SPEC.devices[kind][0] == pytest.approx(effective_a_vt(kind), abs=5e-3)
        assert SPEC.devices[kind][1] == pytest.approx(100 * slopes["toxe"], abs=1e-4)
    assert pdk_slopes("nfet_01v8") == pytest.approx({"vth0": 3.356e-3, "voff": 7e-3, "toxe": 3.443e-3, "nfactor": 0.0})
    assert SPEC.sigma_vt("nfet_01v8", 2, 2) == pytest.approx(7.856e-3 / 2)
    assert SPEC.scaled(2).sigma_vt("pfet_01v8", 4, 4) == pytest.approx(2 * 13.58e-3 / 4)


def test_same_chip_in_any_order_and_subset():
    devs = _devices()
    full = draw_table(SPEC, 7, devs)
    rev = draw_table(SPEC, 7, list(reversed(devs)))
    sub = draw_table(SPEC, 7, devs[5:9])
    assert full == rev
    assert all(full[k] == v for k, v in sub.items())
    assert draw_table(SPEC, 8, devs) != full


def test_same_chip_in_another_process():
    code = ("import json; from mtcsn_hw.circuit.mismatch import load_spec, draw_table;"
            "print(json.dumps(draw_table(load_spec('sky130'), 3,"
            " [('Xa/M1', 'nfet_01v8', 2, 2), ('Xa/IB', 'bias_reference', None, None)])))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    here = draw_table(SPEC, 3, {"Xa/M1": ("nfet_01v8", 2, 2), "Xa/IB": ("bias_reference", None, None)})
    assert json.loads(out.stdout) == here


@pytest.mark.parametrize("kind, w, l", [("nfet_01v8", 2, 2), ("nfet_01v8", 2, 8), ("pfet_01v8", 4, 4)])
def test_sample_sigma_follows_pelgrom(kind, w, l):  # noqa: E741
    """Over many devices the sample sigma is A / sqrt(W L): chi-square 99.9 % interval."""
    n = 4000
    table = draw_table(SPEC, 11, [(f"X{k}/M1", kind, w, l) for k in range(n)])
    dvt = np.array([d["delvto"] for d in table.values()])
    dbeta = np.array([d["mulu0"] - 1 for d in table.values()])
    lo, hi = (np.sqrt(stats.chi2.ppf(q, n - 1) / (n - 1)) for q in (0.0005, 0.9995))
    a_vt, a_beta = SPEC.devices[kind]
    for x, sigma in ((dvt, a_vt * 1e-3 / np.sqrt(w * l)), (dbeta, a_beta * 1e-2 / np.sqrt(w * l))):
        assert lo < np.std(x, ddof=1) / sigma < hi
        assert abs(np.mean(x)) < 4 * sigma / np.sqrt(n)


def test_devices_are_independent():
    n = 10000
    table = draw_table(SPEC, 5, [d for k in range(n) for d in (Device(f"X{k}/M1", "nfet_01v8", 2, 2),
                                                                Device(f"X{k}/M2", "nfet_01v8", 2, 2))])
    a = np.array([table[f"X{k}/M1"]["delvto"] for k in range(n)])
    b = np.array([table[f"X{k}/M2"]["delvto"] for k in range(n)])
    beta = np.array([table[f"X{k}/M1"]["mulu0"] for k in range(n)])
    for x, y in ((a, b), (a, beta)):
        assert abs(np.corrcoef(x, y)[0, 1]) < 4 / np.sqrt(n)
    assert stats.kstest(a / SPEC.sigma_vt("nfet_01v8", 2, 2), "norm").pvalue > 1e-3


def test_capacitor_and_bias_scales():
    table = draw_table(SPEC, 2, [(f"X{k}/IB", "bias_reference", None, None) for k in range(3000)])
    s = np.array([d["scale"] for d in table.values()])
    assert np.std(s) == pytest.approx(SPEC.bias_sigma, rel=0.08)


def _spec_json(**change):
    data = json.loads(json.dumps(SPEC.to_json()))
    for path, value in change.items():
        *head, last = path.split("__")
        d = data
        for h in head:
            d = d[h]
        if value is KeyError:
            del d[last]
        else:
            d[last] = value
    return data


@pytest.mark.parametrize("change, message", [
    ({"devices__nfet_01v8__a_vt_mv_um": -1.0}, "non-negative"),
    ({"devices__pfet_01v8__a_beta_pct_um": float("nan")}, "finite"),
    ({"capacitor__sigma_rel": "big"}, "must be a number"),
    ({"scale": 0}, "positive"),
    ({"technology": "gf180"}, "unknown technology"),
    ({"devices__pfet_01v8": KeyError}, "missing field devices.pfet_01v8"),
    ({"bias_reference": KeyError}, "missing field bias_reference"),
    ({"format": "x"}, "format"),
])
def test_bad_specs_are_one_line_errors(change, message):
    with pytest.raises(ParameterError, match=message) as err:
        spec_from_json(_spec_json(**change))
    assert "\n" not in str(err.value)


def test_bad_inputs_to_draws():
    with pytest.raises(ParameterError, match="seed"):
        draw_table(SPEC, -1, [("X/M1", "nfet_01v8", 2, 2)])
    with pytest.raises(ParameterError, match="twice"):
        draw_table(SPEC, 1, [("X/M1", "nfet_01v8", 2, 2)] * 2)
    with pytest.raises(ParameterError, match="no mismatch data"):
        draw_table(SPEC, 1, [("X/M1", "nfet_03v3", 2, 2)])
    with pytest.raises(ParameterError, match="W must be"):
        draw_table(SPEC, 1, [("X/M1", "nfet_01v8", 0, 2)])
    with pytest.raises(ParameterError, match="does not exist"):
        load_spec("/nonexistent/spec.json")


def test_table_round_trip(tmp_path):
    table = draw_table(SPEC.scaled(2), 9, _devices(3))
    path = save_table(tmp_path / "mismatch.json", SPEC.scaled(2), 9, table)
    data = json.loads(path.read_text())
    assert data["format"] == "mtcsn-hw/mismatch-table/1" and data["seed"] == 9
    spec, seed, devices = load_table(path)
    assert (spec, seed, devices) == (SPEC.scaled(2), 9, table)
    assert draw_table(spec, seed, _devices(3)) == devices     # the recorded spec + seed redraw the chip
    data["devices"]["Xfs_0/C1"] = {"scale": "x"}
    (tmp_path / "bad.json").write_text(json.dumps(data))
    with pytest.raises(ParameterError, match="no finite draws"):
        load_table(tmp_path / "bad.json")
