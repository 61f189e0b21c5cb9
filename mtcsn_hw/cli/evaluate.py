"""`mtcsn-hw evaluate`: test metrics of a checkpoint, optionally with its predictions as .npz."""
from __future__ import annotations

import numpy as np

from mtcsn_hw.atomic import atomic_path
from mtcsn_hw.training.checkpoint import load_checkpoint
from mtcsn_hw.training.evaluate import metrics, predict


def register(sub) -> None:
    p = sub.add_parser("evaluate", help="evaluate a trained checkpoint on its test part",
                       description="Recompute the test metrics of a checkpoint directory (sMAPE, NRMSE, "
                                   "spike rate, nonzero outputs, synaptic operations).")
    p.add_argument("checkpoint", help="checkpoint directory, e.g. models/mg-mtcsn")
    p.add_argument("--predictions", metavar="FILE.npz", help="also write y_true and y_pred to this .npz")
    p.add_argument("--json", action="store_true", help="print the metrics as one JSON object")
    p.set_defaults(func=run)


def run(args) -> dict:
    ck = load_checkpoint(args.checkpoint)
    cfg = ck.config
    pred = predict(ck.model, ck.series, ck.normaliser, cfg.protocol, cfg.horizon)
    result = {"checkpoint": str(args.checkpoint), "model": cfg.model, "protocol": cfg.protocol,
              "horizon": cfg.horizon if cfg.protocol == "direct" else 1, **metrics(pred, ck.model.binary)}
    if args.predictions:
        with atomic_path(args.predictions) as tmp, open(tmp, "wb") as fh:
            np.savez(fh, y_true=pred["y_true"], y_pred=pred["y_pred"])
    if not args.json:
        for k, v in result.items():
            print(f"{k:24s} {v}")
    return result
