"""A netlist written by mtcsn-hw, read back from disk as a runnable bench.

The header carries one machine-readable line,
    * mtcsn-units: v0=... i0=... c_m=... v_rest=... tau0=... neurons=N t_stop=... max_step=...
which gives the units and the transient as data. The circuit is the text above the renderer's analyses
mark, taken verbatim; the analyses are rebuilt from the header line, never parsed from the text.
"""
from __future__ import annotations

import re
from pathlib import Path

from mtcsn_hw.circuit.bench import Bench, Tran
from mtcsn_hw.circuit.mapping import Units
from mtcsn_hw.circuit.render import ANALYSES_MARK
from mtcsn_hw.circuit.technology import with_v0
from mtcsn_hw.errors import ParameterError

NETLIST_SUFFIXES = (".cir", ".sp", ".spice", ".net")
_UNITS_LINE = re.compile(r"^\* mtcsn-units: (.*)$", re.M)
_NEEDED = ("level", "v0", "i0", "c_m", "v_rest", "neurons", "t_stop", "max_step")


def units_line(units: Units, neurons: int, tran: Tran, level: str) -> str:
    return (f"mtcsn-units: level={level} v0={units.v0:.12g} i0={units.i0:.12g} c_m={units.c_m:.12g} "
            f"v_rest={units.v_rest:.12g} tau0={units.tau0:.12g} neurons={neurons} t_stop={tran.stop:.12g} "
            f"max_step={tran.max_step:.12g}")


def read_units_line(text: str) -> dict:
    """The machine-readable units line of a netlist written here ({} if absent)."""
    m = _UNITS_LINE.search(text)
    out = {}
    for item in (m.group(1).split() if m else ()):
        key, _, value = item.partition("=")
        try:
            out[key] = float(value)
        except ValueError:
            out[key] = value
    return out


def is_netlist_path(source) -> bool:
    return source is not None and Path(source).suffix.lower() in NETLIST_SUFFIXES


def read_netlist_file(path) -> tuple[Bench, Units, int, str]:
    """(bench, units, neuron count, level) of a netlist file written by `mtcsn-hw netlist`."""
    path = Path(path)
    if not path.is_file():
        raise ParameterError(f"no netlist at {path}")
    text = path.read_text()
    head = read_units_line(text)
    if not head:
        raise ParameterError(f"{path} was not written by mtcsn-hw netlist (no units line)")
    missing = [k for k in _NEEDED if k not in head]
    if missing or ANALYSES_MARK not in text:
        raise ParameterError(f"{path} was written by an older mtcsn-hw (no {', '.join(missing) or 'analyses mark'}); "
                             f"write it again with mtcsn-hw netlist")
    units = Units(with_v0(head["v0"]), i0=head["i0"], c_m=head["c_m"], v_rest=head["v_rest"])
    circuit = text.split(ANALYSES_MARK, 1)[0]
    step = head["max_step"]
    bench = Bench(title=f"netlist file {path.name}", raw=circuit, analyses=(Tran(step, head["t_stop"], 0.0, step),))
    if head["level"] not in ("behavioral", "transistor"):
        raise ParameterError(f"{path}: unknown level {head['level']!r} in its units line")
    return bench, units, int(head["neurons"]), head["level"]
