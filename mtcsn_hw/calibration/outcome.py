"""Running one chip inside a worker: the job's result or its failure as one line, never an exception."""
from __future__ import annotations

import threading
from dataclasses import dataclass

from mtcsn_hw.calibration.chip_result import encode_result

MAX_REASON = 300


@dataclass(frozen=True)
class Outcome:
    """A finished chip: summary and files (done) or a one-line reason (failed)."""

    seed: int
    summary: dict | None = None
    files: dict | None = None
    reason: str | None = None

    @property
    def ok(self) -> bool:
        return self.reason is None


def one_line(exc: BaseException) -> str:
    """'Type: first line of the message', short enough for a failed/ record."""
    lines = str(exc).strip().splitlines()
    text = f"{type(exc).__name__}: {lines[0]}" if lines else type(exc).__name__
    return text if len(text) <= MAX_REASON else text[: MAX_REASON - 3] + "..."


def run_chip(job, seed: int, context: dict) -> Outcome:
    try:
        summary, files = encode_result(job(seed, context))
    except Exception as exc:  # noqa: BLE001 - any failure of one chip is that chip's result
        return Outcome(seed, reason=one_line(exc))
    return Outcome(seed, summary=summary, files=files)


# Shared-mode ngspice has global state: a dask worker with several threads must still run one chip at a time.
_ONE_CHIP_AT_A_TIME = threading.Lock()


def run_chip_serialised(job, seed: int, context: dict) -> Outcome:
    with _ONE_CHIP_AT_A_TIME:
        return run_chip(job, seed, context)
