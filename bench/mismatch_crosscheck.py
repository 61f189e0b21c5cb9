"""Cross-check the mismatch numbers in ngspice (results in docs/mismatch.md).

  1. the PDK's own Monte Carlo (sky130 subcircuits, mc_mm_switch = 1, subthreshold slopes): input offset
     and gain spread of N ota_sky130 copies in one netlist, against Pelgrom's prediction from the spec;
  2. the same cells with our seeded draws injected (delvto / mulu0 on each M line), against the same
     prediction and OTA by OTA against the behavioural equivalents of those very draws;
  3. the follower-integrator's degenerated OTA (itail 400 pA, wide 4): Gm (tau) and offset, the same way.

Run: PYTHONPATH=$PWD python bench/mismatch_crosscheck.py [--n 100] [--native-n 50] [--seed 1] [--scale 1] [--json]
(the native run is at the PDK's own sigma: --scale changes only the injected draws and the prediction)
"""
from __future__ import annotations

import argparse
import json
import sys
import time

import numpy as np

from mtcsn_hw.circuit import ngspice
from mtcsn_hw.circuit.mismatch import draw_table, load_spec
from mtcsn_hw.circuit.mismatch_behavioural import fi_devices, fi_equivalent, ota_devices, ota_equivalent
from mtcsn_hw.circuit.mismatch_check import bank_readout, native_header, ota_bank, pelgrom_sigmas
from mtcsn_hw.circuit.technology import technology

FI_ITAIL, FI_R = 400e-12, 4 * 0.025865 * 3 / (4 * 100e-12)


def simulate_bank(header: str, bank: str, n: int):
    """The one ngspice call: Vd sweep and the n held outputs' currents."""
    res = ngspice.run(f"* mismatch cross-check\n{header}\n{bank}")
    vd = res.v("inp", "dc")
    return vd, np.array([res.i(f"Vo{k}", "dc") for k in range(n)])


def injected(n: int, seed: int, spec, cell: str = "ota") -> dict:
    """Measured knobs of n cells carrying the chip's draws, and the behavioural prediction of each."""
    devices, equivalent = (ota_devices, ota_equivalent) if cell == "ota" else (fi_devices, fi_equivalent)
    table = draw_table(spec, seed, [d for k in range(n) for d in devices(f"Xo{k}")])
    ib, r = (1e-9, 0.0) if cell == "ota" else (FI_ITAIL, FI_R)
    header = technology("sky130").header()
    measured = bank_readout(*simulate_bank(header, ota_bank(n, cell, ib, table, r=r), n), ib)
    nominal = bank_readout(*simulate_bank(header, ota_bank(1, cell, ib, None, r=r), 1), ib)
    predicted = [equivalent(table, f"Xo{k}") for k in range(n)]
    out = {"voff": measured["voff"] - nominal["voff"][0],
           "voff_pred": np.array([p["voff"] for p in predicted]),
           "gain": (measured["gain"] if cell == "ota" else measured["gm"]) / (
               nominal["gain"][0] if cell == "ota" else nominal["gm"][0]),
           "gain_pred": np.array([p["gain"] for p in predicted]), "asym": measured["asym"]}
    return out


def native(n: int, seed: int) -> dict:
    """Measured knobs of n ota_sky130 copies built from the PDK's subcircuits with mc_mm_switch = 1."""
    measured = bank_readout(*simulate_bank(native_header(seed), ota_bank(n, native=True), n), 1e-9)
    measured["gain"] = measured["gain"] / np.median(measured["gain"])
    return measured


def _sd(x) -> float:
    return float(np.std(x, ddof=1))


def main(argv=None) -> dict:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=100)
    ap.add_argument("--native-n", type=int, default=50)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--scale", type=float, default=1.0, help="sigma scale of the injected draws")
    ap.add_argument("--json", action="store_true")
    a = ap.parse_args(argv)
    spec = load_spec("sky130").scaled(a.scale)
    pred = pelgrom_sigmas(spec)
    report = {"scale": a.scale, "seed": a.seed, "pelgrom": pred}
    t0 = time.time()
    ota = injected(a.n, a.seed, spec, "ota")
    fi = injected(a.n, a.seed, spec, "fi")
    t1 = time.time()
    nat = native(a.native_n, a.seed) if a.native_n else None
    t2 = time.time()
    for name, r in (("ota_injected", ota), ("fi_injected", fi)):
        report[name] = {"n": a.n, "voff_sd": _sd(r["voff"]), "voff_pred_sd": _sd(r["voff_pred"]),
                        "voff_err_rms": float(np.sqrt(np.mean((r["voff"] - r["voff_pred"]) ** 2))),
                        "voff_corr": float(np.corrcoef(r["voff"], r["voff_pred"])[0, 1]),
                        "gain_sd": _sd(r["gain"]), "gain_pred_sd": _sd(r["gain_pred"]),
                        "gain_err_rms": float(np.sqrt(np.mean((r["gain"] - r["gain_pred"]) ** 2))),
                        "gain_corr": float(np.corrcoef(r["gain"], r["gain_pred"])[0, 1]),
                        "asym_sd": _sd(r["asym"])}
    if nat is not None:
        report["ota_native"] = {"n": a.native_n, "voff_sd": _sd(nat["voff"]), "voff_mean": float(np.mean(nat["voff"])),
                                "gain_sd": _sd(nat["gain"]), "asym_sd": _sd(nat["asym"])}
    report["seconds"] = {"injected": t1 - t0, "native": t2 - t1}
    print(json.dumps(report, indent=1) if a.json else _table(report))
    return report


def _table(rep: dict) -> str:
    p = rep["pelgrom"]
    rows = [f"Pelgrom (spec, scale {rep['scale']:g}): OTA voff {p['ota_voff']*1e3:.2f} mV"
            f" (pair only {p['ota_voff_pair']*1e3:.2f}),"
            f" OTA gain {p['ota_gain']*100:.2f} %, FI gain {p['fi_gain']*100:.2f} %, FI voff {p['fi_voff']*1e3:.2f} mV"]
    for name in ("ota_injected", "fi_injected", "ota_native"):
        if name in rep:
            rows.append(f"{name}: " + ", ".join(f"{k} {v:.4g}" for k, v in rep[name].items()))
    rows.append(f"time: {rep['seconds']}")
    return "\n".join(rows)


if __name__ == "__main__":
    sys.exit(0 if main() else 1)
