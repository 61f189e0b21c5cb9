"""Per-device parameters on named transistors of named instances, in real ngspice with sky130 models:
each changes its own instance as the device law predicts, and nothing else."""
import math

import numpy as np
import pytest

from mtcsn_hw.circuit import ngspice
from mtcsn_hw.circuit.bench import DC, Bench, Dc, Instance, Options, VSource
from mtcsn_hw.circuit.build import units_for
from mtcsn_hw.circuit.cells.behavioral import OTA_BEH
from mtcsn_hw.circuit.cells.sky130 import OTA_SKY130
from mtcsn_hw.circuit.devices import apply_device_params, mismatchable_devices
from mtcsn_hw.circuit.families.sky130 import KAPPA
from mtcsn_hw.circuit.iv import neuron_bench
from mtcsn_hw.circuit.render import render_shared
from mtcsn_hw.circuit.technology import technology
from mtcsn_hw.errors import ParameterError
from mtcsn_hw.model.presets import preset

NAMES = ("XA", "XB", "XC")


def ota_pair_bench(tech, cell=OTA_SKY130, extra=None):
    """Instances XA, XB, XC of one OTA cell, inputs (inp, ref) shared, each output held at 0.9 V by Vo_<name>;
    one DC sweep of inp over +-150 mV around ref."""
    supply = (VSource("Vdd", "vdd", "0", DC(1.8)),) if "vdd" in cell.ports else ()
    els = [*supply, VSource("Vref", "ref", "0", DC(0.9)), VSource("Vin", "inp", "0", DC(0.9))]
    for n in NAMES:
        nodes = (f"out_{n}", "inp", "ref", "vdd")[:len(cell.ports)]
        els += [Instance(n, cell, nodes, {"ib": 1e-9, **(extra or {})}), VSource(f"Vo_{n}", f"out_{n}", "0", DC(0.9))]
    return Bench(technology=tech, cells=(cell,), elements=tuple(els), options=(Options((("reltol", 1e-6),)),),
                 analyses=(Dc("Vin", 0.75, 1.05, 0.002),))


def sweep(bench):
    res = ngspice.run(bench)
    dv = res.plot("dc")["v-sweep"] - 0.9
    return dv, {n: res.i(f"vo_{n}", "dc") for n in NAMES}   # what each cell drives into its output node


def centre(dv, i):
    k = np.nonzero(np.diff(np.sign(i)))[0][0]
    return dv[k] - i[k] * (dv[k + 1] - dv[k]) / (i[k + 1] - i[k])


def branch_ratio(i):
    """I1/I2 of the pair from the output current: I_out = I_t (I1 - I2) / (I1 + I2) up to the sign."""
    i_t = (i.max() - i.min()) / 2
    y = np.clip((i - (i.max() + i.min()) / 2) / i_t, -0.999, 0.999)
    return (1 + y) / (1 - y), i_t


def test_delvto_and_mulu0_act_on_their_own_transistor_only():
    tech = technology("sky130")
    nominal = ota_pair_bench(tech)
    edited = apply_device_params(nominal, {"XA/M1": {"delvto": 0.010}, "XC/M5": {"mulu0": 1.05}})
    assert "XA delvto_m1" not in render_shared(nominal) and "delvto_m1=0.01" in render_shared(edited)
    dv, i0 = sweep(nominal)
    _, i1 = sweep(edited)
    # B untouched: the same curve to solver precision
    assert np.max(np.abs(i1["XB"] - i0["XB"])) <= 1e-9 * np.max(np.abs(i0["XB"])) + 1e-21
    # A: M1's gate is inp; +10 mV on its threshold is -10 mV on its gate, so the tanh centre moves +10 mV ...
    shift = centre(dv, i1["XA"]) - centre(dv, i0["XA"])
    print(f"delvto +10 mV on XA/M1: centre shift {shift * 1e3:.3f} mV")
    assert shift == pytest.approx(0.010, abs=0.0005)
    # ... and M1's share of the tail current falls by exp(-dVT / (n U_T)), n = 1 / kappa, at every input
    r0, _ = branch_ratio(i0["XA"])
    r1, _ = branch_ratio(i1["XA"])
    band = np.abs(dv) < 0.05
    measured = np.median((r1 / r0)[band])
    law = math.exp(-0.010 * KAPPA["tt"] / tech.u_t)
    print(f"M1/M2 current ratio factor {measured:.4f}, weak-inversion law {law:.4f}")
    assert measured == pytest.approx(law, rel=0.03)
    # C: mulu0 1.05 on the tail transistor M5 (mirrored from MB): the tail current, the OTA's full scale, x 1.05
    _, it0 = branch_ratio(i0["XC"])
    _, it1 = branch_ratio(i1["XC"])
    print(f"mulu0 1.05 on XC/M5: full scale x {it1 / it0:.4f}")
    assert it1 / it0 == pytest.approx(1.05, abs=0.005)
    assert abs(centre(dv, i1["XC"]) - centre(dv, i0["XC"])) < 2e-4


def test_behavioural_knobs_shift_and_scale_the_tanh():
    units = units_for("behavioral")
    nominal = ota_pair_bench(units.tech, OTA_BEH, {"v0": units.v0})
    edited = apply_device_params(nominal, {"XA/B1": {"voff": 0.005}, "XC/B1": {"gain": 0.9}})
    dv, i0 = sweep(nominal)
    _, i1 = sweep(edited)
    assert np.allclose(i1["XA"], 1e-9 * np.tanh((dv - 0.005) / units.v0), rtol=0, atol=1e-12)
    assert centre(dv, i1["XA"]) - centre(dv, i0["XA"]) == pytest.approx(0.005, abs=1e-5)
    assert np.allclose(i1["XC"], 0.9 * i0["XC"], rtol=1e-9, atol=1e-20)
    assert np.array_equal(i1["XB"], i0["XB"])


def test_device_listing_and_unknown_names():
    bench = neuron_bench(preset("bursting"), units_for("transistor"))
    devices = mismatchable_devices(bench)
    assert devices["Xe_0_fast_m/M1"] == ("nfet_01v8", 2.0, 2.0)
    assert devices["Xe_0_fast_m/M3"] == ("pfet_01v8", 4.0, 4.0)
    assert devices["Xfs_0/M5A"] == ("nfet_01v8", 2.0, 8.0)       # the follower's transistors, one level down
    assert devices["Xfs_0/C1"] == ("capacitor", None, None) and devices["Xe_0_slow_p/IB"][0] == "bias_reference"
    assert devices["Xmem_0/C1"] == ("capacitor", None, None)
    assert sum(1 for t in devices.values() if t[0].endswith("fet_01v8")) == 4 * 6 + 2 * 7
    for bad in ({"Xnope/M1": {"delvto": 0.0}}, {"Xe_0_fast_m/M9": {"delvto": 0.0}},
                {"Xe_0_fast_m/M1": {"vth0": 0.0}}, {"Xfs_0/C1": {"delvto": 0.0}},
                {"Xe_0_fast_m/M1": {"delvto": float("nan")}}):
        with pytest.raises(ParameterError):
            apply_device_params(bench, bad)
    edited = apply_device_params(bench, {"Xfs_0/C1": {"scale": 1.02}, "Xe_0_fast_m/IB": {"scale": 0.98}})
    assert edited.instance("Xfs_0").params["scale_c1"] == 1.02 and "scale_c1" not in bench.instance("Xfs_0").params
    assert edited.instance("Xe_0_fast_m").params["scale_ib"] == 0.98
