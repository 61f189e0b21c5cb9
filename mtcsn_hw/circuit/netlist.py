"""A network's netlist text: its bench (mtcsn_hw.circuit.network) rendered for plain `ngspice -b`."""
from __future__ import annotations

import re
from pathlib import Path

from mtcsn_hw.circuit.mapping import Units
from mtcsn_hw.circuit.network import network_bench
from mtcsn_hw.circuit.render import render_file
from mtcsn_hw.circuit.spec import NetworkSpec, Readout, Stimulus

__all__ = ["NetworkSpec", "Readout", "Stimulus", "output_path_for", "write_netlist"]

_SAFE_PATH = re.compile(r"^[A-Za-z0-9_.\-]+$")


def output_path_for(netlist_path: str | Path | None) -> str:
    """Where the control block writes its results: <netlist stem>.out in ngspice's working folder
    (a bare, safe file name, so a netlist can be moved; run `ngspice -b` from the netlist's folder)."""
    if netlist_path is None:
        return "mtcsn_out.txt"
    name = Path(netlist_path).with_suffix(".out").name
    return name if _SAFE_PATH.match(name) and not name.startswith("-") else "mtcsn_out.txt"


def write_netlist(spec: NetworkSpec, units: Units, out_path: str | Path | None = None,
                  max_step: float | None = None, seed: int = 1) -> str:
    """SPICE text of the network; runs with plain `ngspice -b` (writes vm_k etc. to <out>.out)."""
    return render_file(network_bench(spec, units, max_step, seed), output_path_for(out_path))
