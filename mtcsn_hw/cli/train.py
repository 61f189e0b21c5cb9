"""`mtcsn-hw train`: train a forecaster on Mackey-Glass and write a checkpoint directory."""
from __future__ import annotations

import argparse

from mtcsn_hw.training.config import DEFAULT_HIDDEN, TrainConfig
from mtcsn_hw.training.run import train_and_save


def register(sub) -> None:
    d = TrainConfig()
    sizes = ", ".join(f"{n} {'AdLIF' if m == 'adlif' else m.upper()}" for m, n in DEFAULT_HIDDEN.items())
    p = sub.add_parser("train", help="train a forecasting network and write a checkpoint directory",
                       description="Train MTCSN, LIF or AdLIF on Mackey-Glass (BPTT, Adam) and write "
                                   "config.json, params.json, weights.safetensors, data.npz, metrics.json to --out. "
                                   f"One hidden layer of {sizes} neurons (the MTCSN at the accuracy-activity "
                                   f"fronts' pick), "
                                   f"{d.iterations} iterations of {d.batch} windows.")
    p.add_argument("--model", choices=["mtcsn", "lif", "adlif"], required=True)
    p.add_argument("--task", choices=["mackey-glass"], default="mackey-glass")
    p.add_argument("--protocol", choices=["direct", "autoregressive"], default=d.protocol,
                   help="direct H-step forecast, or NeuroBench's teacher-forced/autoregressive protocol")
    p.add_argument("--horizon", type=int, default=d.horizon, help="forecast horizon in samples (direct)")
    p.add_argument("--seed", type=int, default=d.seed)
    p.add_argument("--iterations", type=int, default=d.iterations, help=argparse.SUPPRESS)
    p.add_argument("--n-hidden", type=int, default=None, help=argparse.SUPPRESS)  # None: the model's own
    p.add_argument("--window", type=int, default=d.window, help=argparse.SUPPRESS)
    p.add_argument("--batch", type=int, default=d.batch, help=argparse.SUPPRESS)
    p.add_argument("--washout", type=int, default=d.washout, help=argparse.SUPPRESS)
    p.add_argument("--out", required=True, help="checkpoint directory to write (replaced atomically)")
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    p.add_argument("--json", action="store_true", help="print the metrics as one JSON object")
    p.set_defaults(func=run)


def run(args) -> dict:
    import torch

    torch.set_num_threads(1)  # tiny tensors: one thread is faster than two, and leaves a core free
    cfg = TrainConfig(model=args.model, task=args.task, protocol=args.protocol, horizon=args.horizon,
                      seed=args.seed, iterations=args.iterations, n_hidden=args.n_hidden, window=args.window,
                      batch=args.batch, washout=args.washout).validate()
    metrics = train_and_save(cfg, args.out, progress=not args.quiet)
    if not args.json:
        print(f"wrote {args.out}: test sMAPE {metrics['smape']:.2f}, NRMSE {metrics['nrmse']:.3f}, "
              f"{metrics['spike_rate']:.4f} spikes/neuron/step ({metrics['train_seconds']:g} s of training)")
    return {"out": str(args.out), **metrics}
