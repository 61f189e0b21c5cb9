"""Cells against independent references: the tanh law, a fitted weak-inversion law, RC theory."""

from pathlib import Path

import numpy as np
import pytest
from scipy.optimize import curve_fit

from mtcsn_hw.circuit import ngspice, shipped
from mtcsn_hw.circuit.bench import Bench, Dc, Op, Options, Tran
from mtcsn_hw.circuit.families.sky130 import follower_params
from mtcsn_hw.circuit.technology import for_level, technology


def ota_sweep(tech, instance, span=0.3, step=0.002, options=()):
    """Differential sweep around a 0.9 V common mode, output held at 0.9 V: (dV, I into out)."""
    raw = f"""Vdd vdd 0 1.8
Vd d 0 0
Ep inp cm d 0 0.5
En inn cm d 0 -0.5
Vcm cm 0 0.9
Vo out 0 0.9
{instance}"""
    bench = Bench(technology=tech, cells=tech.family.cells, raw=raw, options=tuple(options),
                  analyses=(Dc("Vd", -span, span, step),))
    res = ngspice.run(bench)
    return res.v("inp", "dc") - res.v("inn", "dc"), res.i("vo", "dc")


def test_behavioral_ota_is_the_tanh_law():
    tech = for_level("behavioral")
    # tight solver tolerances: the default abstol (1 pA) would mask the device law at 1e-6 of 2.5 nA
    dv, i = ota_sweep(tech, f"XO out inp inn ota_beh ib=2.5n v0={tech.v0:.12g}",
                      options=[Options((("reltol", 1e-9), ("abstol", 1e-20)))])
    expected = 2.5e-9 * np.tanh(dv / tech.v0)
    assert np.max(np.abs(i - expected)) / 2.5e-9 < 1e-6


def test_sky130_ota_fits_weak_inversion_tanh():
    tech = technology("sky130")
    dv, i = ota_sweep(tech, "XO out inp inn vdd ota_sky130 ib=1n")

    def law(x, ib, kappa, off):
        return ib * np.tanh(kappa * (x - off) / (2 * tech.u_t))
    (ib, kappa, off), _ = curve_fit(law, dv, i, p0=[1e-9, 0.7, 0.0])
    resid = np.max(np.abs(i - law(dv, ib, kappa, off))) / ib
    print(f"sky130 OTA: kappa = {kappa:.4f}, V0 = {2 * tech.u_t / kappa * 1e3:.2f} mV, I_b = {ib * 1e9:.4f} nA, "
          f"offset = {off * 1e3:.2f} mV, max residual = {resid * 100:.3f} % of I_b")
    assert 0.55 <= kappa <= 0.9
    assert resid < 0.02
    assert abs(kappa - tech.kappa) / tech.kappa < 0.03  # the table the mapping uses is what the cell does


def follower_tau(tech, instance, cap=5e-12, i_tau=100e-12):
    raw = f"Vdd vdd 0 1.8\nVin in 0 PWL(0 0.9 1m 0.9 1.000001m 0.905)\n{instance}"
    bench = Bench(technology=tech, cells=tech.family.cells, raw=raw, analyses=(Tran(1e-6, 30e-3, 0.0, 10e-6),))
    res = ngspice.run(bench)
    t, y = res.plot("tran")["time"], res.v("out")
    y0, yf = np.interp(0.99e-3, t, y), y[-1]
    k = np.nonzero((t > 1e-3) & (y >= y0 + (1 - np.exp(-1)) * (yf - y0)))[0][0]
    return t[k] - 1e-3, cap * tech.v0 / i_tau


@pytest.mark.parametrize("level,wide", [("behavioral", None), ("transistor", 1.0), ("transistor", 4.0),
                                        ("transistor", 8.0)])
def test_follower_integrator_small_signal_tau(level, wide):
    tech = for_level(level)
    if level == "behavioral":
        inst = f"XF out in fi_beh c=5p ib=100p v0={tech.v0:.12g}"
    else:
        inst = "XF out in vdd fi_sky130 " + " ".join(
            f"{k}={v:.9g}" for k, v in follower_params(5e-12, 100e-12, tech.u_t, wide).items())
    tau, expected = follower_tau(tech, inst)
    print(f"follower-integrator {level} wide={wide}: tau = {tau * 1e3:.4f} ms, C V0 / I = {expected * 1e3:.4f} ms, "
          f"error {100 * (tau / expected - 1):+.1f} %")
    assert abs(tau / expected - 1) < (0.15 if wide and wide > 1 else 0.10)  # degeneration: first-order tau


def test_sky130_subset_is_only_what_the_two_devices_need():
    """The PDK subset holds the nfet_01v8/pfet_01v8 files of the corner and their parameter files, not the
    whole library (its load time against the full library is measured in bench/bench_circuit.py)."""
    import re
    tech = technology("sky130")
    names = [Path(f).name for f in tech.model_files]
    assert names and all(re.search(r"nfet_01v8|pfet_01v8|lod\.spice|nonfet\.spice", n) for n in names), names
    assert not any("sky130.lib.spice" in n or "all.spice" in n for n in names)
    res = ngspice.run(Bench(technology=tech, includes=tech.pdk_includes(),
                            raw="XM d d 0 0 sky130_fd_pr__nfet_01v8 w=2 l=2\nI1 0 d 1n", analyses=(Op(),)))
    assert 0.05 < res.v("d", "op")[0] < 0.8      # a diode-connected nfet at 1 nA sits in weak inversion


def test_library_files_written(tmp_path):
    paths = shipped.write_library(tmp_path)
    names = {p.stem for p in paths}
    assert {"ota_beh", "ota_sky130", "fi_beh", "fi_sky130", "membrane"} <= names
    for p in paths:
        text = p.read_text()
        assert text.count(".subckt") == 1 and text.count(".ends") == 1


@pytest.mark.parametrize("level,tol", [("behavioral", 1e-3), ("transistor", 0.02)])
def test_per_element_iv_follows_alpha_tanh(level, tol):
    from mtcsn_hw.circuit.build import units_for
    from mtcsn_hw.circuit.compare import iv_rmse
    from mtcsn_hw.circuit.iv import element_iv_curves
    from mtcsn_hw.model.presets import preset
    res = element_iv_curves(preset("bursting"), units_for(level))
    assert set(res["elements"]) == {"fast-", "slow+", "slow-", "ultraslow+"}
    for name, d in res["elements"].items():
        err = iv_rmse(res["v"], d["model"], d["circuit"])
        print(f"element {name} ({level}): I-V RMSE {100 * err:.2f} % of full scale")
        assert err < tol
