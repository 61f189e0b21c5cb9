"""`mtcsn-hw netlist`: write a self-contained SPICE netlist (runs with plain `ngspice -b FILE.cir`)."""
from __future__ import annotations

import sys
from pathlib import Path

from mtcsn_hw.errors import CheckpointError, ParameterError
from mtcsn_hw.model.params import NeuronParams
from mtcsn_hw.model.presets import PRESET_NAMES


def add_circuit_arguments(p) -> None:
    p.add_argument("source", nargs="?", metavar="PARAMS.json|models/NAME",
                   help="neuron parameter file, or a trained network's checkpoint folder")
    p.add_argument("--preset", metavar="NAME", help=f"a preset neuron under its protocol: {', '.join(PRESET_NAMES)}")
    p.add_argument("--level", choices=("behavioral", "transistor"), default="behavioral",
                   help="behavioral (tanh-law OTAs) or transistor (sky130 MOSFETs); default behavioral")
    p.add_argument("--corner", choices=("tt", "ff", "ss"), default="tt", help="sky130 corner (default tt)")
    p.add_argument("--temp", type=float, default=27.0, help="temperature in deg C (default 27)")
    p.add_argument("--i0", type=float, default=1e-9, help="unit current I0 in A (default 1e-9)")
    p.add_argument("--cm", type=float, default=1e-12, help="unit membrane capacitance C_m in F (default 1e-12)")
    p.add_argument("--t-end", type=float, help="simulated time in model units (default: the preset's protocol, or 1000)")


def spec_and_units(args):
    """(NetworkSpec, Units, source label) from the common arguments."""
    from mtcsn_hw.circuit.export import neuron_spec, units_for
    if bool(args.source) == bool(args.preset):
        raise ParameterError("give exactly one of PARAMS.json, models/NAME or --preset NAME")
    units = units_for(args.level, args.corner, args.temp, args.i0, args.cm)
    if args.preset:
        return neuron_spec(NeuronParams.preset(args.preset), args.preset, args.t_end), units, f"preset:{args.preset}"
    src = Path(args.source)
    if src.is_dir():
        return checkpoint_spec(src, args.t_end), units, str(src)
    return neuron_spec(NeuronParams.load(src), None, args.t_end), units, str(src)


def checkpoint_spec(path: Path, t_end=None):
    """A checkpoint folder as netlist data; --t-end (model units) shortens the test segment."""
    import json

    from mtcsn_hw.circuit.export import checkpoint_dir_spec
    if t_end is None:
        return checkpoint_dir_spec(path)
    try:
        layer = json.loads((path / "params.json").read_text()).get("layer", {})
    except (OSError, ValueError) as exc:
        raise CheckpointError(f"cannot read checkpoint {path}: {exc}") from None
    sample = float(layer.get("dt", 1.0)) * int(layer.get("substeps", 1))
    return checkpoint_dir_spec(path, int(round(float(t_end) / sample)))


def register(sub) -> None:
    p = sub.add_parser("netlist", help="write a SPICE netlist of a neuron or network",
                       description="Map model parameters to OTA circuits and write a self-contained netlist "
                                   "(includes, sources, .tran, and a .control block writing FILE.out).")
    add_circuit_arguments(p)
    p.add_argument("--out", required=True, metavar="FILE.cir", help="netlist to write")
    p.add_argument("--json", action="store_true", help="print one JSON object on stdout")
    p.set_defaults(func=run)


def run(args):
    from mtcsn_hw.circuit.export import export
    from mtcsn_hw.circuit.netlist import output_path_for
    spec, units, source = spec_and_units(args)
    export(spec, units, args.out)
    out = {"netlist": str(args.out), "results_file": output_path_for(args.out), "source": source,
           "level": args.level, "corner": args.corner, "temp_c": args.temp, "neurons": len(spec.neurons),
           "t_end_model": spec.t_end, "t_end_s": spec.t_end * units.tau0,
           "units": {"v0": units.v0, "i0": units.i0, "c_m": units.c_m, "tau0": units.tau0, "v_rest": units.v_rest}}
    if not args.json:
        sys.stdout.write(f"wrote {args.out} ({args.level}, {len(spec.neurons)} neuron(s), "
                         f"{out['t_end_s'] * 1e3:.3g} ms); run it from its folder with: ngspice -b {Path(args.out).name}"
                         f" (writes {out['results_file']})\n")
    return out
