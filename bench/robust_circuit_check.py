"""Model-level against behavioural-circuit chip sMAPE, chip by chip (a cross-check of the model-level Monte Carlo
until the engine's chip scoring, retraining.score.score_chips, is on main; then use that):

    PYTHONPATH=. python bench/robust_circuit_check.py models/mg-mtcsn-robust --scale 4 --chips 20

For chip seeds 1000 ... (the sky130 spec x scale): the checkpoint's behavioural netlist with the chip's draws in
ngspice, and the model with the same chip mapped onto it (retraining.circuit_chips), both on the test segment
from the layer's rest (as `report` compares them), sMAPE after a washout of 75 samples. Prints one JSON line per
chip and a summary (median, p90, worst of each; their correlation and mean absolute difference).
"""
from __future__ import annotations

import argparse
import json

import numpy as np
import torch

from mtcsn_hw.checkpoint.reader import read_checkpoint
from mtcsn_hw.circuit import ngspice
from mtcsn_hw.circuit.build import units_for
from mtcsn_hw.circuit.devices import apply_device_params
from mtcsn_hw.circuit.export import checkpoint_spec, readout_times
from mtcsn_hw.circuit.mismatch import load_spec
from mtcsn_hw.circuit.mismatch_behavioural import draw_chip
from mtcsn_hw.circuit.network import network_bench
from mtcsn_hw.retraining.circuit_chips import chip_devices, circuit_chip
from mtcsn_hw.retraining.robust import EVAL_SEED0
from mtcsn_hw.tasks import metrics as M
from mtcsn_hw.training.checkpoint import load_checkpoint

WASHOUT = 75


def summary(values) -> dict:
    v = np.asarray(values, float)
    return {"median": float(np.median(v)), "p90": float(np.percentile(v, 90)), "worst": float(v.max())}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("checkpoint")
    ap.add_argument("--scale", type=float, default=1.0)
    ap.add_argument("--chips", type=int, default=20)
    args = ap.parse_args()
    torch.set_num_threads(1)
    units = units_for("behavioral")
    data, ck = read_checkpoint(args.checkpoint), load_checkpoint(args.checkpoint)
    net = checkpoint_spec(data)
    bench, devices = network_bench(net, units), chip_devices(data, units)
    n = len(net.stimulus.series)
    x, n0 = ck.series.x, ck.series.n_train
    truth = x[n0 + data.horizon:n0 + data.horizon + n][WASHOUT:]
    u = torch.tensor(ck.normaliser(x[n0:n0 + n]), dtype=torch.float32).reshape(-1, 1, 1)
    spec = load_spec("sky130").scaled(args.scale)
    layer, rows = ck.model.hidden.layer, []
    for seed in [None, *range(EVAL_SEED0, EVAL_SEED0 + args.chips)]:
        layer.mismatch = None if seed is None else circuit_chip(data, spec, seed, units, devices)
        with torch.no_grad():
            y_model = ck.normaliser.inverse(ck.model(u).y[:, 0, 0].numpy().astype(float))
        layer.mismatch = None
        chip = bench if seed is None else apply_device_params(bench, draw_chip(spec, seed, devices))
        res = ngspice.run(chip)
        y_circuit = ck.normaliser.inverse(np.interp(readout_times(units, data.sample_dt, n), res.plot("tran")["time"],
                                                    res.v("yout_0")))
        row = {"seed": seed, "model": M.smape(y_model[WASHOUT:], truth), "circuit": M.smape(y_circuit[WASHOUT:], truth)}
        rows.append(row)
        print(json.dumps(row), flush=True)
    m, c = (np.array([r[k] for r in rows[1:]]) for k in ("model", "circuit"))
    print(json.dumps({"checkpoint": args.checkpoint, "scale": args.scale, "seeds": [r["seed"] for r in rows[1:]],
                      "nominal": rows[0], "model": summary(m), "circuit": summary(c),
                      "correlation": float(np.corrcoef(m, c)[0, 1]),
                      "mean_abs_difference": float(np.abs(m - c).mean())}))


if __name__ == "__main__":
    main()
