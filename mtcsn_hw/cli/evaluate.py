"""`mtcsn-hw evaluate`: test metrics of a checkpoint, optionally with its predictions as .npz."""
from __future__ import annotations

from mtcsn_hw.training.evaluate import evaluate_checkpoint


def register(sub) -> None:
    p = sub.add_parser("evaluate", help="evaluate a trained checkpoint on its test part",
                       description="Recompute the test metrics of a checkpoint directory (sMAPE, NRMSE, "
                                   "spike rate, nonzero outputs, synaptic operations).")
    p.add_argument("checkpoint", help="checkpoint directory, e.g. models/mg-mtcsn")
    p.add_argument("--predictions", metavar="FILE.npz", help="also write y_true and y_pred to this .npz")
    p.add_argument("--json", action="store_true", help="print the metrics as one JSON object")
    p.set_defaults(func=run)


def run(args) -> dict:
    result = evaluate_checkpoint(args.checkpoint, predictions=args.predictions)
    if not args.json:
        for k, v in result.items():
            print(f"{k:24s} {v}")
    return result
