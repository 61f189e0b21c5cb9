"""`mtcsn-hw simulate`: run a netlist (or a preset / PARAMS.json / checkpoint) in ngspice through PySpice."""
from __future__ import annotations

import sys

from mtcsn_hw.cli.circuit_args import add_circuit_arguments, circuit_request


def register(sub) -> None:
    p = sub.add_parser("simulate", help="simulate a netlist or a neuron in ngspice (spikes, I-V curves)",
                       description="Transient with spike extraction (physical and model units); with --iv also "
                                   "the circuit's fast/slow/ultra-slow I-V curves against the model's. A run "
                                   "estimated to take over an hour is refused with the estimate.")
    add_circuit_arguments(p, "a netlist FILE.cir written by `netlist`, a neuron parameter file, or a checkpoint folder")
    p.add_argument("--iv", action="store_true", help="also sweep the I-V curves (PARAMS.json or --preset only)")
    p.add_argument("--threshold", type=float, default=0.0, help="spike threshold in model units (default 0)")
    p.add_argument("--json", action="store_true", help="print one JSON object on stdout")
    p.set_defaults(func=run)


def run(args):
    from mtcsn_hw.circuit.sources import simulate_command
    out = simulate_command(iv=args.iv, threshold=args.threshold, **circuit_request(args))
    if not args.json:
        for k, nrn in enumerate(out["neurons"]):
            sys.stdout.write(f"vm_{k}: {nrn['n_spikes']} spikes in {out['t_end_s'] * 1e3:.4g} ms "
                             f"({out['t_end_model']:.6g} tau0)\n")
        for k, c in out.get("iv", {}).get("curves", {}).items():
            sys.stdout.write(f"I-V {k}: RMSE {100 * c['rmse_full_scale']:.2f} % of full scale off the model\n")
    return out
