"""The same sweep on a running dask.distributed scheduler (a LocalCluster, or SLURM/PBS via dask-jobqueue).

Chips are submitted one task each; a job's exception never reaches dask (run_chip turns it into a
failed outcome), so dask's own retries only cover dead workers. When the scheduler gives up on a task
(KilledWorker, after its `distributed.scheduler.allowed-failures`), the chip is retried once more, alone on
the cluster, so a chip that merely shared a worker with a crashing one is not blamed for it.
"""
from __future__ import annotations

from collections.abc import Iterator

from mtcsn_hw.calibration.outcome import Outcome, one_line, run_chip_serialised
from mtcsn_hw.errors import ParameterError

CONNECT_TIMEOUT = "20s"


def _connect(address: str):
    from distributed import Client
    try:
        return Client(address, timeout=CONNECT_TIMEOUT, set_as_default=False)
    except (OSError, TimeoutError, ValueError) as exc:
        raise ParameterError(f"cannot reach the dask scheduler at {address}: {one_line(exc)}") from None


def _died(seed: int, exc) -> Outcome:
    worker = getattr(getattr(exc, "last_worker", None), "address", None)
    where = f" (last on {worker})" if worker else ""
    return Outcome(seed, reason=f"worker died: dask KilledWorker{where}")


def dask_outcomes(job, context: dict, seeds: list[int], address: str, label: str = "chip") -> Iterator[Outcome]:
    """Run job(seed, context) for every seed on the scheduler at `address`; yield outcomes as they finish."""
    from distributed import as_completed
    from distributed.scheduler import KilledWorker

    client = _connect(address)
    try:
        [shared] = client.scatter([context], broadcast=True, hash=False)

        def submit(seed: int, attempt: int):
            return client.submit(run_chip_serialised, job, seed, shared, pure=False,
                                 key=f"{label}-{seed}-attempt{attempt}")

        futures = {submit(seed, 1): seed for seed in seeds}
        killed = []
        for future in as_completed(futures, loop=client.loop):
            seed = futures.pop(future)
            try:
                yield future.result()
            except KilledWorker:
                killed.append(seed)
            except Exception as exc:  # noqa: BLE001 - e.g. the job cannot be unpickled on the worker
                yield Outcome(seed, reason=f"dask: {one_line(exc)}")
            future.release()
        for seed in killed:  # one at a time: nothing else on the cluster to blame
            future = submit(seed, 2)
            try:
                yield future.result()
            except KilledWorker as exc:
                yield _died(seed, exc)
            except Exception as exc:  # noqa: BLE001
                yield Outcome(seed, reason=f"dask: {one_line(exc)}")
            future.release()
    finally:
        client.close()
