"""`mtcsn-hw retrain`: retrain a checkpoint for its circuit and write a new checkpoint directory.

--calibration DIR: chip-specific, for one calibrated chip of a calibration folder (mtcsn_hw.retraining.chip_retrain);
--robust: mismatch-aware, robust to chips it never saw (mtcsn_hw.retraining.robust). The two are exclusive.
"""
from __future__ import annotations

from mtcsn_hw.errors import ParameterError


def register(sub) -> None:
    p = sub.add_parser("retrain", help="retrain a checkpoint for its circuit (robust to mismatch, or for one chip)",
                       description="Warm-start a trained MTCSN checkpoint and retrain it for its circuit; writes a "
                                   "normal checkpoint directory to --out. With --calibration DIR: for one calibrated "
                                   "chip of DIR (--chip SEED when DIR holds several): the calibrated chip's twins "
                                   "(twin_calibrated.json) are frozen into the network and only what the chip can "
                                   "reprogram is retrained (input weights, per-neuron bias currents, readout); the "
                                   "result is re-exported onto the same chip (its mismatch table and calibrated "
                                   "biases, each bias source programmed with the trained bias minus the chip's "
                                   "offset), re-simulated, and the recovery ladder (sMAPE: nominal circuit, "
                                   "mismatched chip, calibrated chip, retrained) printed and written to "
                                   "--out/ladder.json; --out/chip.json records the chip. With --robust: device "
                                   "mismatch "
                                   "drawn from the technology's spec (α, δ, τ per element) at every training step, "
                                   "then compared with the source on unseen circuit chips.")
    p.add_argument("checkpoint", help="trained MTCSN checkpoint directory (models/NAME)")
    p.add_argument("--out", required=True, help="checkpoint directory to write (replaced atomically)")
    p.add_argument("--calibration", metavar="DIR", help="chip-specific retraining from a calibration folder")
    p.add_argument("--chip", metavar="SEED", help="with --calibration: the chip (default: the folder's only chip)")
    p.add_argument("--iterations", type=int, default=None,
                   help="training steps (default: 25 for one chip, the source's for --robust)")
    p.add_argument("--n-test", type=int, default=None, help="with --calibration: test samples simulated for the "
                                                           "ladder (default all; the first 75 are washout)")
    add_robust_args(p)
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    p.add_argument("--json", action="store_true", help="print the result as one JSON object")
    p.set_defaults(func=run)


def add_robust_args(p) -> None:
    g = p.add_argument_group("robust (mismatch-aware) retraining")
    g.add_argument("--robust", action="store_true", help="train with device mismatch drawn anew at every step")
    g.add_argument("--mismatch", default="sky130", metavar="SPEC",
                   help="mismatch spec file or technology name (default: sky130, calibration/mismatch/sky130.json)")
    g.add_argument("--scale", type=float, default=1.0, help="multiply every sigma of the spec (area / scale^2)")
    g.add_argument("--seed", type=int, default=0, help="seed of the training draws")
    g.add_argument("--chip-per-batch", action="store_true",
                   help="one chip per batch instead of one per sequence")
    g.add_argument("--scale-range", action="store_true",
                   help="train on chips from nominal up to sigma x scale (each chip its own fraction)")
    g.add_argument("--chips", type=int, default=20, help="unseen circuit chips to compare on (seeds 1000, 1001, ...)")


def run(args) -> dict:
    if args.robust and args.calibration:
        raise ParameterError("--robust and --calibration are exclusive: robust retraining is for unseen chips, "
                             "--calibration for one calibrated chip")
    if args.calibration:
        return run_calibrated(args)
    if args.robust:
        return run_robust(args)
    raise ParameterError("say how to retrain: --robust or --calibration DIR")


def run_calibrated(args) -> dict:
    import torch

    from mtcsn_hw.retraining.chip_retrain import DEFAULT_ITERATIONS, RUNGS, retrain_for_chip

    torch.set_num_threads(1)  # tiny tensors: one thread is faster than two, and leaves a core free
    ladder = retrain_for_chip(args.checkpoint, args.calibration, args.out, chip=args.chip,
                              iterations=DEFAULT_ITERATIONS if args.iterations is None else args.iterations,
                              n_test=args.n_test, progress=not (args.quiet or args.json))
    if not args.json:
        print(f"wrote {args.out}: retrained for chip {ladder['seed']} of {args.calibration} "
              f"({ladder['iterations']} iterations, {ladder['train_seconds']:.0f} s)")
        print(f"sMAPE on test samples {ladder['washout']}-{ladder['steps']}, {ladder['level']} circuit:")
        for rung in RUNGS:
            print(f"  {rung:11s} {ladder['smape'][rung]:7.2f}")
        print(f"  (model: source {ladder['smape_model']['source']:.2f}, retrained "
              f"{ladder['smape_model']['retrained']:.2f})")
    return ladder


def run_robust(args) -> dict:
    import torch

    from mtcsn_hw.retraining.robust import retrain_robust

    torch.set_num_threads(1)  # tiny tensors: one thread is faster than two, and leaves a core free
    r = retrain_robust(args.checkpoint, args.out, mismatch=args.mismatch, scale=args.scale, seed=args.seed,
                       iterations=args.iterations, per_sequence=not args.chip_per_batch,
                       scale_range=args.scale_range, chips=args.chips,
                       progress=not (args.quiet or args.json))
    if not args.json:
        mc = r["mismatch_chips"]
        print(f"wrote {args.out}: nominal test sMAPE {mc['source']['nominal']:.2f} -> {r['smape']:.2f}")
        for key in ("source", "robust"):
            s = mc[key]
            print(f"  {key:6s} on {s['chips']} unseen chips (seeds {s['seeds'][0]}-{s['seeds'][-1]}, sigma x "
                  f"{s['scale']:g}): median {s['median']:.2f}, p90 {s['p90']:.2f}, worst {s['worst']:.2f}")
    return r
