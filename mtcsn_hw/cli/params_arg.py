"""The shared `PARAMS.json | --preset NAME` argument of several subcommands."""
from __future__ import annotations

from mtcsn_hw.errors import ParameterError
from mtcsn_hw.model.params import NeuronParams
from mtcsn_hw.model.presets import PRESET_NAMES


def add_params_argument(parser) -> None:
    parser.add_argument("params", nargs="?", metavar="PARAMS.json", help="neuron parameter file (DESIGN §7 format)")
    parser.add_argument("--preset", choices=None, metavar="NAME", help=f"a preset instead: {', '.join(PRESET_NAMES)}")


def params_from_args(args) -> tuple[NeuronParams, str]:
    if bool(args.params) == bool(args.preset):
        raise ParameterError("give either a PARAMS.json file or --preset NAME (exactly one)")
    if args.preset:
        return NeuronParams.preset(args.preset), f"preset:{args.preset}"
    return NeuronParams.load(args.params), str(args.params)
