"""The Monte Carlo output folder (format in the project brief):

    DIR/run.json                 arguments + run key
    DIR/chips/chip-<seed>/       result.json + the job's files, written atomically when the chip finishes
    DIR/failed/chip-<seed>.json  {"seed": .., "reason": "one line"}, removed when a re-run succeeds
    DIR/summary.json             aggregate, written last

A chip folder that exists is done: a re-run with the same run key skips it.
"""
from __future__ import annotations

import fcntl
import json
import os
import re
import shutil
from pathlib import Path

from mtcsn_hw.atomic import atomic_dir, write_json, write_text
from mtcsn_hw.calibration.chip_result import RESULT_FILE
from mtcsn_hw.calibration.jsonable import dumps
from mtcsn_hw.errors import MTCSNError, ParameterError

RUN_FORMAT = "mtcsn-hw/montecarlo-run/1"
CHIP_FORMAT = "mtcsn-hw/chip-result/1"
_CHIP_DIR = re.compile(r"^chip-(\d+)$")
_LEFTOVER = re.compile(r"^\.chip-\d+\.(.*\.tmp|old)$")  # atomic_dir's temporary and replaced folders


class RunFolder:
    """One sweep's folder, locked against a second sweep writing into it at the same time."""

    def __init__(self, path: str | os.PathLike):
        self.path = Path(path)
        self.chips = self.path / "chips"
        self.failed = self.path / "failed"
        self._lock = None

    # ---- opening ------------------------------------------------------------------------------
    def open(self, run_key: str, arguments: dict, overwrite: bool = False) -> None:
        """Create or resume the folder for this run key; refuse a folder that holds another run."""
        self._make_writable()
        self._take_lock()
        try:
            if overwrite:
                self._clear()
            else:
                self._check_same_run(run_key)
            self._remove_leftovers()
            write_text(self.path / "run.json", dumps({"format": RUN_FORMAT, "run_key": run_key,
                                                      "arguments": arguments}) + "\n")
        except BaseException:
            self.close()
            raise

    def _make_writable(self) -> None:
        try:
            self.path.mkdir(parents=True, exist_ok=True)
            probe = self.path / f".write-probe-{os.getpid()}"
            probe.write_text("")
            probe.unlink()
        except OSError as exc:
            raise ParameterError(f"cannot write to output folder {self.path}: {exc.strerror or exc}") from None

    def _take_lock(self) -> None:
        handle = open(self.path / ".lock", "w")  # noqa: SIM115 - held until close()
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            handle.close()
            raise MTCSNError(f"another sweep is writing into {self.path}; wait for it or use another folder") from None
        self._lock = handle

    def close(self) -> None:
        if self._lock is not None:
            self._lock.close()
            self._lock = None

    def _check_same_run(self, run_key: str) -> None:
        run_file = self.path / "run.json"
        if run_file.exists():
            old = _read_json(run_file).get("run_key")
            if old != run_key:
                raise ParameterError(f"{self.path} holds a different run (run key {str(old)[:12]}, this run "
                                     f"{run_key[:12]}); use another folder or overwrite it")
        elif self.chips.exists() and any(self.chips.iterdir()):
            raise ParameterError(f"{self.path} holds chips but no run.json; use another folder or overwrite it")

    def _clear(self) -> None:
        for sub in (self.chips, self.failed):
            shutil.rmtree(sub, ignore_errors=True)
        for name in ("run.json", "summary.json"):
            (self.path / name).unlink(missing_ok=True)

    def _remove_leftovers(self) -> None:
        """Temporary folders of chips whose writer was killed mid-write (atomic_dir never finished)."""
        if self.chips.exists():
            for entry in self.chips.iterdir():
                if _LEFTOVER.match(entry.name):
                    shutil.rmtree(entry, ignore_errors=True)

    # ---- chips --------------------------------------------------------------------------------
    def chip_dir(self, seed: int) -> Path:
        return self.chips / f"chip-{seed}"

    def done_seeds(self) -> set[int]:
        if not self.chips.exists():
            return set()
        return {int(m.group(1)) for e in self.chips.iterdir() if (m := _CHIP_DIR.match(e.name)) and e.is_dir()}

    def write_chip(self, seed: int, run_key: str, summary: dict, files: dict[str, bytes]) -> None:
        record = {"format": CHIP_FORMAT, "seed": seed, "run_key": run_key, "summary": summary}
        with atomic_dir(self.chip_dir(seed)) as tmp:
            for name, content in files.items():
                (tmp / name).write_bytes(content)
            (tmp / RESULT_FILE).write_text(json.dumps(record, indent=2) + "\n")
        (self.failed / f"chip-{seed}.json").unlink(missing_ok=True)

    def write_failed(self, seed: int, reason: str) -> None:
        write_json(self.failed / f"chip-{seed}.json", {"seed": seed, "reason": reason})

    def records(self, seeds) -> list[dict]:
        """result.json of the given seeds' chips, sorted by seed."""
        done = self.done_seeds()
        return [_read_json(self.chip_dir(s) / RESULT_FILE) for s in sorted(set(seeds) & done)]

    def failures(self, seeds) -> dict[int, str]:
        out = {}
        for seed in sorted(seeds):
            path = self.failed / f"chip-{seed}.json"
            if path.exists():
                out[seed] = _read_json(path).get("reason", "")
        return out

    def write_summary(self, summary: dict) -> None:
        write_json(self.path / "summary.json", summary)


def _read_json(path: Path) -> dict:
    try:
        data = json.loads(path.read_text())
    except (OSError, ValueError) as exc:
        raise MTCSNError(f"cannot read {path}: {exc}") from None
    if not isinstance(data, dict):
        raise MTCSNError(f"{path} is not a JSON object")
    return data
