"""What a job returns for one chip, and its check and encoding (done in the worker, so a bad result
fails that chip with a clear reason instead of the whole sweep)."""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from mtcsn_hw.calibration.jsonable import dumps, plain_number

RESULT_FILE = "result.json"
_FILE_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$")
_FIELD_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_.:-]{0,127}$")
RESERVED_FIELDS = frozenset({"seed"})


@dataclass
class ChipResult:
    """One chip's outcome.

    summary: flat dict of JSON-able numbers (bool, int, float, str, None; NaN becomes None) that goes
             into the chip's result.json and is aggregated into summary.json.
    files:   file name -> str (text), bytes (binary) or anything JSON-able (written as JSON), written
             into the chip's folder by the engine.
    """

    summary: dict = field(default_factory=dict)
    files: dict = field(default_factory=dict)


def encode_result(result) -> tuple[dict, dict[str, bytes]]:
    """(summary with plain values, files as bytes); TypeError/ValueError says what is wrong."""
    if not isinstance(result, ChipResult):
        raise TypeError(f"the job returned {type(result).__name__}, expected a ChipResult")
    if not isinstance(result.summary, dict) or not isinstance(result.files, dict):
        raise TypeError("ChipResult.summary and ChipResult.files must be dicts")
    summary = {}
    for key, value in result.summary.items():
        if not isinstance(key, str) or not _FIELD_NAME.match(key) or key in RESERVED_FIELDS:
            raise ValueError(f"bad summary field name {key!r} (letters, digits, _ . : -; 'seed' is reserved)")
        try:
            summary[key] = plain_number(value)
        except TypeError as exc:
            raise TypeError(f"summary field {key!r}: {exc}") from None
    return summary, {name: _encode_file(name, content) for name, content in result.files.items()}


def _encode_file(name, content) -> bytes:
    if not isinstance(name, str) or not _FILE_NAME.match(name) or name == RESULT_FILE:
        raise ValueError(f"bad chip file name {name!r} (a plain file name, not {RESULT_FILE!r})")
    if isinstance(content, bytes):
        return content
    if isinstance(content, str):
        return content.encode()
    try:
        return (dumps(content) + "\n").encode()
    except (TypeError, ValueError) as exc:
        raise TypeError(f"chip file {name!r} is neither text, bytes nor JSON-able ({exc})") from None
