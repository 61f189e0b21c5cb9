"""The same sweep on a running dask.distributed scheduler (a LocalCluster, or SLURM/PBS via dask-jobqueue).

The context is installed on every worker once (a worker plugin, so workers that join or restart get it
too); then one task per chip, never more in flight than the cluster has worker threads (re-read as chips finish, so
a cluster that grows is used): a worker then holds only the chip it runs, so when it dies the scheduler
blames that chip alone (KilledWorker, after `distributed.scheduler.allowed-failures`). The engine then
retries the chip once more, then records it failed. A job's exception never reaches dask: run_chip turns
it into a failed outcome, so dask's own retries only ever cover dead workers.
"""
from __future__ import annotations

import time
from collections import deque
from collections.abc import Iterator

from mtcsn_hw.calibration.outcome import Outcome, one_line
from mtcsn_hw.errors import ParameterError

CONNECT_TIMEOUT = "20s"
DEATH_RETRIES = 1


def _connect(address: str):
    from distributed import Client
    try:
        return Client(address, timeout=CONNECT_TIMEOUT, set_as_default=False)
    except (OSError, TimeoutError, ValueError) as exc:
        raise ParameterError(f"cannot reach the dask scheduler at {address}: {one_line(exc)}") from None


class _ThreadCount:
    """Worker threads on the cluster (at least 1), asked of the scheduler at most once a second."""

    def __init__(self, client, every_s: float = 1.0):
        self.client, self.every_s, self.value, self.when = client, every_s, 1, -float("inf")

    def get(self) -> int:
        now = time.monotonic()
        if now - self.when >= self.every_s:
            self.value, self.when = max(1, sum(self.client.nthreads().values())), now
        return self.value

    def invalidate(self) -> None:
        """A worker died: ask again before sending more chips, so none is sent to a worker that is gone."""
        self.when = -float("inf")


def _outcome(future, seed: int) -> tuple[Outcome | None, str | None]:
    """(outcome, None), or (None, where) when the scheduler gave up because the chip's workers died."""
    from distributed.scheduler import KilledWorker
    try:
        return future.result(), None
    except KilledWorker as exc:
        worker = getattr(getattr(exc, "last_worker", None), "address", None)
        return None, f" (last on {worker})" if worker else ""
    except Exception as exc:  # noqa: BLE001 - e.g. the job cannot be unpickled on the worker
        return Outcome(seed, reason=f"dask: {one_line(exc)}"), None


def dask_outcomes(job, context: dict, seeds: list[int], address: str, label: str = "chip") -> Iterator[Outcome]:
    """Run job(seed, context) for every seed on the scheduler at `address`; yield outcomes as they finish."""
    from distributed import as_completed

    from mtcsn_hw.calibration.dask_context import SweepContext, run_chip_on_worker

    client = _connect(address)
    try:
        plugin = SweepContext(label, context)
        client.register_plugin(plugin, name=plugin.name)
        pending, running = deque((seed, 1) for seed in seeds), {}
        finished = as_completed([], loop=client.loop)
        threads = _ThreadCount(client)

        def top_up() -> None:
            limit = threads.get()
            while pending and len(running) < limit:
                seed, attempt = pending.popleft()
                future = client.submit(run_chip_on_worker, job, seed, label, pure=False,
                                       key=f"{label}-{seed}-attempt{attempt}")
                running[future] = (seed, attempt)
                finished.add(future)

        top_up()
        for future in finished:
            seed, attempt = running.pop(future)
            outcome, died_where = _outcome(future, seed)
            client.cancel(future)  # acknowledged by the scheduler: a lost worker cannot make it recompute this chip
            if outcome is None:  # its worker died
                threads.invalidate()
                if attempt <= DEATH_RETRIES:
                    pending.appendleft((seed, attempt + 1))
                else:
                    outcome = Outcome(seed, reason=f"worker died: dask KilledWorker{died_where}")
            top_up()  # the next chip starts while the caller writes this one's files
            if outcome is not None:
                yield outcome
    finally:
        try:
            client.unregister_worker_plugin(f"mtcsn-context-{label}")
        except Exception:  # noqa: BLE001, S110 - never registered, or the cluster is gone: nothing to undo
            pass
        client.close()
