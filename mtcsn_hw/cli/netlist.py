"""`mtcsn-hw netlist`: write a self-contained SPICE netlist (runs with plain `ngspice -b FILE.cir`)."""
from __future__ import annotations

import sys
from pathlib import Path

from mtcsn_hw.cli.circuit_args import add_circuit_arguments, circuit_request


def register(sub) -> None:
    p = sub.add_parser("netlist", help="write a SPICE netlist of a neuron or network",
                       description="Map model parameters to OTA circuits and write a self-contained netlist "
                                   "(device models, sources, a transient, and a control block writing FILE.out).")
    add_circuit_arguments(p)
    p.add_argument("--out", required=True, metavar="FILE.cir", help="netlist to write")
    p.add_argument("--json", action="store_true", help="print one JSON object on stdout")
    p.set_defaults(func=run)


def run(args):
    from mtcsn_hw.circuit.sources import netlist_command
    out = netlist_command(args.out, **circuit_request(args))
    if not args.json:
        sys.stdout.write(f"wrote {args.out} ({out['level']}, {out['neurons']} neuron(s), "
                         f"{out['t_end_s'] * 1e3:.3g} ms); run it from its folder with: "
                         f"ngspice -b {Path(args.out).name} (writes {out['results_file']})\n")
    return out
