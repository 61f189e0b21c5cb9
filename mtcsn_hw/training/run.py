"""Train, evaluate on the test part, and save: what `mtcsn-hw train` and the benchmark script run."""
from __future__ import annotations

from mtcsn_hw.atomic import check_writable
from mtcsn_hw.training.checkpoint import save_checkpoint
from mtcsn_hw.training.config import TrainConfig
from mtcsn_hw.training.evaluate import metrics, predict
from mtcsn_hw.training.loop import fit


def train_and_save(cfg: TrainConfig, out, progress: bool = True) -> dict:
    """Train, evaluate and write the checkpoint folder `out`; returns the metrics stored with it.
    An unwritable `out` fails before training starts."""
    cfg.validate()
    check_writable(out, folder=True)
    model, series, norm, history = fit(cfg, progress=progress)
    m = metrics(predict(model, series, norm, cfg.protocol, cfg.horizon), model.binary)
    m["train_seconds"] = round(history["train_seconds"], 2)
    m["final_loss"] = sum(history["loss"][-10:]) / len(history["loss"][-10:])
    save_checkpoint(out, model, cfg, series, norm, m)
    return m
