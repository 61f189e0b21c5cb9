"""Test-set predictions and metrics of a trained forecaster (in memory, or a checkpoint folder)."""
from __future__ import annotations

import numpy as np
import torch

from mtcsn_hw.atomic import atomic_path, check_writable
from mtcsn_hw.tasks import metrics as M
from mtcsn_hw.tasks.forecasting import Normaliser, horizon_of
from mtcsn_hw.tasks.mackey_glass import MackeyGlassSeries
from mtcsn_hw.training.checkpoint import load_checkpoint
from mtcsn_hw.training.network import Forecaster


def _tensor(u):
    return torch.tensor(np.asarray(u), dtype=torch.float32).reshape(-1, 1, 1)


@torch.no_grad()
def predict(model: Forecaster, series: MackeyGlassSeries, norm: Normaliser, protocol: str, horizon: int,
            span: tuple[int, int] | None = None) -> dict:
    """y_true, y_pred (original units) and the network activity over input steps [n0, n1).

    span defaults to the test part; `validation_split` gives the held-out tail of the train part.
    direct: the network runs continuously from n = 0 and y_pred[n] forecasts x(n + H);
    autoregressive: teacher-forced up to n0, then fed its own predictions for n1 - n0 steps.
    """
    model.eval()
    u = norm(series.x)
    n0, n1 = (series.n_train, series.n_train + series.n_test) if span is None else span
    h = horizon_of(protocol, horizon)
    run = _direct if protocol == "direct" else _closed_loop
    y_pred, y_true, inputs, out = run(model, series, u, n0, n1, h)
    return {"y_true": np.asarray(y_true, float), "y_pred": norm.inverse(y_pred), "inputs": inputs.numpy(),
            "lateral": model.hidden.lateral_fanout, "hidden": out["hidden"].numpy(), "events": out["events"].numpy(),
            "v": out["v"].numpy()}


def _direct(model, series, u, n0, n1, h):
    out = model(_tensor(u[:n1]))
    act = {"hidden": out.hidden[n0:n1], "events": out.events[n0:n1], "v": out.v[n0:n1]}
    return out.y[n0:n1, 0, 0].numpy(), series.x[n0 + h:n1 + h], out.inputs[n0:n1], act


def _closed_loop(model, series, u, n0, n1, h):
    out = model(_tensor(u[:n0]))  # teacher-forced warm-up
    state, y = out.state, out.y[-1:]
    preds, read, hid, ev, vs = [], [], [], [], []
    for _ in range(n1 - n0):
        preds.append(y)
        step = model(y, state)
        state, y = step.state, step.y
        read.append(step.inputs)
        hid.append(step.hidden)
        ev.append(step.events)
        vs.append(step.v)
    act = {"hidden": torch.cat(hid), "events": torch.cat(ev), "v": torch.cat(vs)}
    return torch.cat(preds)[:, 0, 0].numpy(), series.x[n0:n1], torch.cat(read), act


def metrics(pred: dict, binary: bool) -> dict:
    ops = M.synaptic_ops(pred["inputs"], pred["hidden"], n_out=1, hidden_binary=binary, n_lateral=pred["lateral"])
    return {
        "smape": M.smape(pred["y_pred"], pred["y_true"]),
        "nrmse": M.nrmse(pred["y_pred"], pred["y_true"]),
        "spike_rate": M.spike_rate(pred["events"]),
        "nonzero_fraction": M.nonzero_fraction(pred["hidden"]),
        "synops_dense": ops["dense"],
        "synops_effective": ops["effective"],
        "synops_effective_acs": ops["effective_acs"],
        "synops_effective_macs": ops["effective_macs"],
        "synops_energy_pj": M.synop_energy_pj(ops["effective_acs"], ops["effective_macs"]),
    }


def write_predictions(path, pred: dict) -> None:
    """y_true and y_pred (test part, original units) as an .npz (plain arrays: loads with allow_pickle=False)."""
    with atomic_path(path) as tmp, open(tmp, "wb") as fh:
        np.savez(fh, y_true=pred["y_true"], y_pred=pred["y_pred"])


def evaluate_checkpoint(path, predictions=None) -> dict:
    """Re-run a checkpoint on its test part: what it is plus its metrics; with `predictions`, also
    write y_true and y_pred to that .npz."""
    if predictions:
        check_writable(predictions)
    ck = load_checkpoint(path)
    pred = predict(ck.model, ck.series, ck.normaliser, ck.data.protocol, ck.config.horizon)
    result = {"checkpoint": str(path), "model": ck.data.model, "protocol": ck.data.protocol,
              "horizon": ck.data.horizon, **metrics(pred, ck.model.binary)}
    if predictions:
        write_predictions(predictions, pred)
    return result
