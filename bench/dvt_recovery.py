"""Does the element fit recover the injected input-pair threshold mismatch? Transistor level (sky130, tt,
27 C): every element OTA of the shipped network (48 neurons, 96 OTAs) in one DC sweep, nominal and on
mismatched chips; the fitted offset of each OTA (its centre shift, gate-referred in volts, nominal offset
subtracted) against the injected input-pair difference delvto(M1) - delvto(M2), and against the full
behavioural equivalent of the OTA's draws (pair, mirror and current factors). Prints r and the slope.

    PYTHONPATH=. python bench/dvt_recovery.py [--chips 1] [--source models/mg-mtcsn]
"""
from __future__ import annotations

import argparse
import json
import time

import numpy as np
import torch

from mtcsn_hw.calibration.calibrate_run import load_neurons
from mtcsn_hw.calibration.chip_bench import make_chip
from mtcsn_hw.calibration.fit_element import fit_element
from mtcsn_hw.calibration.measure_elements import measure_elements
from mtcsn_hw.circuit.build import units_for
from mtcsn_hw.circuit.mismatch import load_spec
from mtcsn_hw.circuit.mismatch_behavioural import ota_equivalent


def offsets(chip) -> dict:
    """(k, element) -> fitted centre shift in volts, referred to V(inp) - V(inn)."""
    u = chip.units
    keep = list(range(len(chip.neurons)))
    sweeps = measure_elements(chip, keep)
    out = {}
    for k, nm in enumerate(chip.maps):
        for e in nm.elements:
            s = sweeps[k][e.name]
            f = fit_element(e.name, s.v, s.current, e.alpha, e.delta)
            sign = 1.0 if e.regenerative else -1.0
            out[(k, e.ident)] = sign * u.volts_delta(f.d - e.delta)
    return out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--chips", type=int, default=1)
    ap.add_argument("--source", default="models/mg-mtcsn")
    args = ap.parse_args()
    torch.set_num_threads(1)
    neurons, _, _ = load_neurons(args.source, None)
    units = units_for("transistor")
    spec = load_spec("sky130")
    started = time.perf_counter()
    nominal = offsets(make_chip(neurons, units, None, None))
    fitted, pair, full = [], [], []
    for seed in range(args.chips):
        chip = make_chip(neurons, units, spec, seed)
        got = offsets(chip)
        for (k, ident), v in got.items():
            inst = f"Xe_{k}_{ident}"
            fitted.append(v - nominal[(k, ident)])
            pair.append(chip.table[f"{inst}/M1"]["delvto"] - chip.table[f"{inst}/M2"]["delvto"])
            full.append(ota_equivalent(chip.table, inst)["voff"])
    fitted, pair, full = map(np.asarray, (fitted, pair, full))
    out = {"otas": int(fitted.size), "chips": args.chips,
           "r_pair": float(np.corrcoef(fitted, pair)[0, 1]), "slope_pair": float(np.polyfit(pair, fitted, 1)[0]),
           "r_full": float(np.corrcoef(fitted, full)[0, 1]), "slope_full": float(np.polyfit(full, fitted, 1)[0]),
           "sigma_fitted_mV": float(fitted.std() * 1e3), "sigma_pair_mV": float(pair.std() * 1e3),
           "rms_error_full_mV": float(np.sqrt(np.mean((fitted - full) ** 2)) * 1e3),
           "nominal_offset_mean_mV": float(np.mean(list(nominal.values())) * 1e3),
           "seconds": time.perf_counter() - started}
    print(json.dumps(out, indent=1))


if __name__ == "__main__":
    main()
