"""The arguments `netlist` and `simulate` share: a source and the circuit's technology and units."""
from __future__ import annotations

from mtcsn_hw.model.presets import PRESET_NAMES

CIRCUIT_KEYS = ("preset", "level", "corner", "temp", "i0", "cm", "t_end")


def add_circuit_arguments(p, source_help: str = "neuron parameter file, or a trained network's checkpoint folder"):
    p.add_argument("source", nargs="?", metavar="PARAMS.json|models/NAME", help=source_help)
    p.add_argument("--preset", metavar="NAME", help=f"a preset neuron under its protocol: {', '.join(PRESET_NAMES)}")
    p.add_argument("--level", choices=("behavioral", "transistor"), default="behavioral",
                   help="behavioral (tanh-law OTAs) or transistor (sky130 MOSFETs); default behavioral")
    p.add_argument("--corner", choices=("tt", "ff", "ss"), default="tt", help="sky130 corner (default tt)")
    p.add_argument("--temp", type=float, default=27.0, help="temperature in deg C (default 27)")
    p.add_argument("--i0", type=float, default=1e-9, help="unit current I0 in A (default 1e-9)")
    p.add_argument("--cm", type=float, default=1e-12, help="unit membrane capacitance C_m in F (default 1e-12)")
    p.add_argument("--t-end", type=float,
                   help="simulated time in model units (default: the preset's protocol, or 1000)")


def circuit_request(args) -> dict:
    """The parsed arguments as keyword arguments of mtcsn_hw.circuit.sources."""
    return {"source": args.source, **{k: getattr(args, k) for k in CIRCUIT_KEYS}}
