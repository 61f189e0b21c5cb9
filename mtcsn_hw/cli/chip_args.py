"""The arguments `calibrate` and `montecarlo` share: a source, its circuit, and the chips to run."""
from __future__ import annotations

from mtcsn_hw.model.presets import PRESET_NAMES


def add_chip_arguments(p, chips_required: bool) -> None:
    p.add_argument("source", nargs="?", metavar="PARAMS.json|models/NAME", help="neuron parameters or a checkpoint")
    p.add_argument("--preset", metavar="NAME", help=f"a preset neuron: {', '.join(PRESET_NAMES)}")
    p.add_argument("--level", default="behavioral", help="behavioral or transistor (default behavioral)")
    p.add_argument("--corner", default="tt", help="sky130 corner tt, ff or ss (default tt)")
    p.add_argument("--temp", type=float, default=27.0, help="temperature in deg C (default 27)")
    p.add_argument("--mismatch", default="sky130", metavar="SPEC", help="mismatch spec file or technology name")
    p.add_argument("--mismatch-seed", default="0", metavar="S", help="seed of the first chip (default 0)")
    if chips_required:
        p.add_argument("--chips", required=True, metavar="N", help="number of chips")
    else:
        p.add_argument("--chips", default="1", metavar="N", help="number of chips (default 1)")
    p.add_argument("--dask", metavar="ADDRESS", help="run the chips on this dask scheduler")
    p.add_argument("--workers", metavar="W", help="local worker processes (default: one per core)")
    p.add_argument("--max-iter", type=int, default=10, help="re-tuning iterations at most (default 10)")
    p.add_argument("--refine-steps", default="6", metavar="K",
                   help="gradient steps refining each twin on its chip's driven spike train, each kept only if it "
                        "predicts held-out spikes better (default 6; 0 keeps the DC twins)")
    p.add_argument("--json", action="store_true", help="print one JSON object on stdout")


def chip_request(args) -> dict:
    """The parsed arguments as keyword arguments of the calibration run functions."""
    return {"source": args.source, "preset": args.preset, "level": args.level, "corner": args.corner,
            "temp": args.temp, "spec": args.mismatch, "mismatch_seed": args.mismatch_seed, "chips": args.chips,
            "dask": args.dask, "workers": args.workers, "max_iter": args.max_iter,
            "refine_steps": args.refine_steps}
