"""Run one job on N chips, locally in worker processes or on a dask cluster, into a resumable folder.

    report = run_sweep(job, "runs/mc", chips=200, context={...})

job(seed, context) -> ChipResult is a picklable top-level function; the engine owns all file writing:
each chip's folder is written atomically as soon as its result arrives, failures are recorded and the
sweep goes on, summary.json (spread and yields over chips, sorted by seed) is written last.
"""
from __future__ import annotations

import pickle
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

from mtcsn_hw.calibration.dask_backend import dask_outcomes
from mtcsn_hw.calibration.jsonable import canonical_hash
from mtcsn_hw.calibration.process_pool import pool_outcomes
from mtcsn_hw.calibration.run_folder import RunFolder
from mtcsn_hw.calibration.seeds import chip_seeds, worker_count
from mtcsn_hw.calibration.statistics import summarise
from mtcsn_hw.errors import ParameterError

SUMMARY_FORMAT = "mtcsn-hw/montecarlo-summary/1"


@dataclass
class SweepReport:
    """What a sweep did: chips computed now, skipped (already done), failed (seed -> reason), the summary."""

    path: Path
    run_key: str
    computed: list = field(default_factory=list)
    skipped: list = field(default_factory=list)
    failed: dict = field(default_factory=dict)
    summary: dict = field(default_factory=dict)
    seconds: float = 0.0


def job_name(job) -> str:
    return f"{getattr(job, '__module__', '?')}.{getattr(job, '__qualname__', type(job).__name__)}"


def _job_payload(job, context) -> bytes:
    """job and context pickled once; a lambda or a nested function is refused here, not in every worker."""
    if not callable(job):
        raise ParameterError(f"job must be a function job(seed, context), got {type(job).__name__}")
    if not isinstance(context, dict):
        raise ParameterError(f"context must be a dict, got {type(context).__name__}")
    try:
        payload = pickle.dumps((job, context))
        pickle.loads(payload)
    except Exception as exc:  # noqa: BLE001 - pickling raises many types
        raise ParameterError(f"job and context must be picklable (a top-level function, plain data): "
                             f"{type(exc).__name__}: {exc}") from None
    return payload


def _check_yields(yields) -> dict:
    """Checked before any chip runs: a bad criterion must not surface only after hours of simulation."""
    if yields is None:
        return {}
    if not isinstance(yields, dict):
        raise ParameterError("yields must be a dict: name -> Band(field, low, high) or predicate(summary)")
    for name, criterion in yields.items():
        if not isinstance(name, str) or not callable(criterion):
            raise ParameterError(f"yield {name!r}: expected a name and a Band or predicate(summary) -> bool")
    return yields


def _check_timeout(chip_timeout, dask_address) -> float | None:
    if chip_timeout is None:
        return None
    if dask_address is not None:
        raise ParameterError("chip_timeout needs the local process pool (a dask worker thread cannot be stopped)")
    if isinstance(chip_timeout, bool) or not isinstance(chip_timeout, (int, float)) or not chip_timeout > 0:
        raise ParameterError(f"chip_timeout must be a positive number of seconds, got {chip_timeout!r}")
    return float(chip_timeout)


def run_sweep(job, out_dir, chips: int | None = None, *, seeds=None, first_seed: int = 0,
              context: dict | None = None, workers: int | None = None, dask_address: str | None = None,
              overwrite: bool = False, yields: dict | None = None, progress: bool | None = None,
              run_arguments: dict | None = None, chip_timeout: float | None = None) -> SweepReport:
    """Run job(seed, context) for every chip not already in out_dir; write summary.json last.

    chips / seeds: a chip count (seeds first_seed, first_seed + 1, ...) or an explicit list of seeds.
    workers: local worker processes (default: one per core); ignored with dask_address (a scheduler).
    yields: name -> Band(field, low, high) or predicate(summary) -> bool, reported with Wilson intervals.
    run_arguments: what identifies the run (default: job name and context); hashed with the seeds into
    the run key. A folder holding another run key is refused unless overwrite=True.
    chip_timeout: seconds after which a chip's worker is killed and the chip recorded failed (a hung
    simulation); local pool only.
    """
    started = time.perf_counter()
    seed_list = chip_seeds(chips, seeds, first_seed)
    context = {} if context is None else context
    payload = _job_payload(job, context)
    n_workers = worker_count(workers)
    yields = _check_yields(yields)
    chip_timeout = _check_timeout(chip_timeout, dask_address)
    arguments = dict(run_arguments) if run_arguments is not None else {"job": job_name(job), "context": context}
    key = canonical_hash({**arguments, "seeds": seed_list})
    folder = RunFolder(out_dir)
    folder.open(key, {**arguments, "seeds": seed_list}, overwrite=overwrite)
    try:
        done = folder.done_seeds()
        report = SweepReport(folder.path, key, skipped=[s for s in seed_list if s in done])
        todo = [s for s in seed_list if s not in done]
        if dask_address is not None:
            outcomes = dask_outcomes(job, context, todo, dask_address, label=f"mtcsn-{key[:12]}")
        else:
            outcomes = pool_outcomes(payload, todo, min(n_workers, len(todo)), chip_timeout) if todo else iter(())
        _collect(outcomes, folder, key, report, len(seed_list), progress)
        body = summarise(folder.records(seed_list), folder.failures(seed_list), len(seed_list), yields)
        report.summary = {"format": SUMMARY_FORMAT, "run_key": key, **body}
        folder.write_summary(report.summary)
    finally:
        folder.close()
    report.seconds = time.perf_counter() - started
    return report


def _collect(outcomes, folder: RunFolder, key: str, report: SweepReport, total: int, progress) -> None:
    from tqdm import tqdm
    show = sys.stderr.isatty() if progress is None else bool(progress)
    with tqdm(total=total, initial=len(report.skipped), unit="chip", desc="chips", disable=not show) as bar:
        for outcome in outcomes:
            if outcome.ok:
                folder.write_chip(outcome.seed, key, outcome.summary, outcome.files)
                report.computed.append(outcome.seed)
            else:
                folder.write_failed(outcome.seed, outcome.reason)
                report.failed[outcome.seed] = outcome.reason
            bar.update(1)
            bar.set_postfix_str(f"done {len(report.skipped) + len(report.computed)}, failed {len(report.failed)}")
