"""`mtcsn-hw retrain`: retrain a checkpoint for its circuit and write a new checkpoint directory.

--calibration DIR: chip-specific, for one calibrated chip of a calibration folder (mtcsn_hw.retraining.chip_retrain);
--robust (mismatch-aware, for unseen chips) is the other mode; the two are mutually exclusive.
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
                                   "--out/ladder.json; --out/chip.json records the chip.")
    p.add_argument("checkpoint", help="trained MTCSN checkpoint directory (models/NAME)")
    p.add_argument("--out", required=True, help="checkpoint directory to write (replaced atomically)")
    p.add_argument("--calibration", metavar="DIR", help="chip-specific retraining from a calibration folder")
    p.add_argument("--chip", metavar="SEED", help="with --calibration: the chip (default: the folder's only chip)")
    p.add_argument("--iterations", type=int, default=None,
                   help="training steps (default: 25 for one chip)")
    p.add_argument("--n-test", type=int, default=None, help="with --calibration: test samples simulated for the "
                                                           "ladder (default all; the first 75 are washout)")
    p.add_argument("--robust", action="store_true", help="train with device mismatch drawn anew at every step")
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    p.add_argument("--json", action="store_true", help="print the result as one JSON object")
    p.set_defaults(func=run)


def run(args) -> dict:
    if args.robust and args.calibration:
        raise ParameterError("--robust and --calibration are exclusive: robust retraining is for unseen chips, "
                             "--calibration for one calibrated chip")
    if args.calibration:
        return run_calibrated(args)
    if args.robust:
        raise ParameterError("robust retraining (--robust) is not available in this build")
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
