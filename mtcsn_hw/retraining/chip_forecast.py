"""One forecasting checkpoint on one chip: the checkpoint's network bench (circuit.export.checkpoint_spec), the
chip's mismatch table applied (circuit.devices), optionally its calibrated biases (calibration.chip_bench knobs),
simulated on the test segment; the readout against the truth and against the model.

    run_on_chip("models/mg-mtcsn", "calibration/run", seed=3)            # the chip's table and calibrated biases
    run_on_chip("models/mg-mtcsn", mismatch="sky130", seed=3)            # a chip drawn from a spec, uncalibrated

Both the model and the circuit start at rest on the first n_test samples of the test part (as the report's
network comparison does); the first `washout` samples are left out of every number. A checkpoint made for one
chip (chip.json, retraining.chip_record) runs with its hardware: the neurons the chip was built for and the bias
currents it must be programmed with (trained minus the chip's own offset).
"""
from __future__ import annotations

import io
from dataclasses import dataclass, replace

import numpy as np

from mtcsn_hw.calibration.chip_bench import apply_all_knobs
from mtcsn_hw.checkpoint.reader import CheckpointData
from mtcsn_hw.circuit import ngspice
from mtcsn_hw.circuit.devices import apply_device_params
from mtcsn_hw.circuit.export import checkpoint_spec, readout_times
from mtcsn_hw.circuit.mapping import Units
from mtcsn_hw.circuit.network import network_bench
from mtcsn_hw.errors import ParameterError
from mtcsn_hw.retraining.chip_record import Hardware
from mtcsn_hw.tasks import metrics as M

WASHOUT = 75


@dataclass
class Forecasts:
    """y_true, y_model, y_circuit on the same test samples (original units), and the washout left out."""

    y_true: np.ndarray
    y_model: np.ndarray
    y_circuit: np.ndarray
    washout: int

    def smape(self, which: str = "circuit") -> float:
        y = self.y_circuit if which == "circuit" else self.y_model
        return M.smape(y[self.washout:], self.y_true[self.washout:])

    def smape_vs_model(self) -> float:
        return M.smape(self.y_circuit[self.washout:], self.y_model[self.washout:])

    def npz(self) -> bytes:
        buf = io.BytesIO()
        np.savez(buf, y_true=self.y_true, y_model=self.y_model, y_circuit=self.y_circuit,
                 washout=np.array(self.washout))
        return buf.getvalue()


def test_length(ck: CheckpointData, n_test: int | None, washout: int = WASHOUT) -> int:
    n = ck.series.n_test if n_test is None else int(n_test)
    if not washout < n <= ck.series.n_test:
        raise ParameterError(f"n_test must be in ({washout}, {ck.series.n_test}] (the first {washout} samples are "
                             f"washout), got {n_test}")
    return n


def truth(ck: CheckpointData, n_test: int) -> np.ndarray:
    n0, h = ck.series.n_train, ck.horizon
    return np.asarray(ck.series.x[n0 + h:n0 + h + n_test], float)


def model_forecast(ck: CheckpointData, n_test: int, model=None) -> np.ndarray:
    """The model's output on the first n_test test samples, from rest, in original units (torch); model: the
    Forecaster in memory (default: loaded from the checkpoint folder)."""
    import torch

    from mtcsn_hw.training.checkpoint import load_checkpoint

    model = load_checkpoint(ck.path).model if model is None else model
    u = ck.normaliser(ck.series.x[ck.series.n_train:ck.series.n_train + n_test])
    model.eval()
    with torch.no_grad():
        out = model(torch.tensor(u, dtype=torch.float32).reshape(-1, 1, 1))
    return ck.normaliser.inverse(out.y[:, 0, 0].numpy().astype(float))


def chip_bench(ck: CheckpointData, units: Units, table: dict | None = None, knobs: dict | None = None,
               n_test: int | None = None, hardware: Hardware | None = None):
    """The checkpoint's network bench on a chip: mismatch table (device -> params), knobs (neuron -> Knobs) and,
    for a checkpoint made for a chip, its hardware (the chip's neurons, the bias currents to program)."""
    spec = checkpoint_spec(ck, n_test)
    if hardware is not None:
        spec = replace(spec, neurons=hardware.neurons,
                       input_bias=hardware.programmed_bias(np.asarray(spec.input_bias, float)))
    bench = apply_device_params(network_bench(spec, units), table or {})
    if knobs:
        if set(knobs) - set(range(len(spec.neurons))):
            raise ParameterError(f"the bias table names neurons the network does not have ({len(spec.neurons)})")
        bench = apply_all_knobs(bench, knobs, spec.neurons, units)
    return bench


def circuit_forecast(ck: CheckpointData, units: Units, table: dict | None = None, knobs: dict | None = None,
                     n_test: int | None = None, hardware: Hardware | None = None) -> np.ndarray:
    """The circuit's readout yout_0 at the end of each of the first n_test test samples, original units."""
    n = test_length(ck, n_test, 0)
    return readout(ck, units, ngspice.run(chip_bench(ck, units, table, knobs, n, hardware)), n)


def readout(ck: CheckpointData, units: Units, result, n: int) -> np.ndarray:
    """A simulated network's readout yout_0 at the end of each of its n input samples, original units."""
    t = result.plot("tran")["time"]
    return ck.normaliser.inverse(np.interp(readout_times(units, ck.sample_dt, n), t, result.v("yout_0")))


def forecast_on_chip(ck: CheckpointData, units: Units, table: dict | None = None, knobs: dict | None = None,
                     n_test: int | None = None, y_model=None, hardware: Hardware | None = None,
                     washout: int = WASHOUT) -> Forecasts:
    """Truth, model and circuit on the chip; y_model given (the same for every chip) saves running torch."""
    n = test_length(ck, n_test, washout)
    y_model = model_forecast(ck, n) if y_model is None else np.asarray(y_model, float)[:n]
    return Forecasts(truth(ck, n), y_model, circuit_forecast(ck, units, table, knobs, n, hardware), washout)
