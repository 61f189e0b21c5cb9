"""The sweep's context, installed once on every dask worker (and on every worker that joins or restarts later)
as a worker plugin, so tasks carry only (job, seed) and no worker depends on data held by another."""
from __future__ import annotations

import pickle

from distributed.diagnostics.plugin import WorkerPlugin

from mtcsn_hw.calibration.outcome import Outcome, run_chip_serialised

_CONTEXTS: dict[str, dict] = {}


class SweepContext(WorkerPlugin):
    def __init__(self, token: str, context: dict):
        self.token = token
        self.name = f"mtcsn-context-{token}"
        self.payload = pickle.dumps(context)

    def setup(self, worker) -> None:
        _CONTEXTS[self.token] = pickle.loads(self.payload)

    def teardown(self, worker) -> None:
        _CONTEXTS.pop(self.token, None)


def run_chip_on_worker(job, seed: int, token: str) -> Outcome:
    return run_chip_serialised(job, seed, _CONTEXTS[token])
