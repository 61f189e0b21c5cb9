"""Plain JSON from what jobs naturally return (numpy scalars and arrays, objects with to_dict)."""
from __future__ import annotations

import dataclasses
import hashlib
import json
import math

import numpy as np

from mtcsn_hw.errors import ParameterError


def json_default(obj):
    """json.dumps hook: numpy values, parameter objects and dataclasses become plain JSON."""
    if isinstance(obj, np.ndarray):
        return obj.tolist()
    if isinstance(obj, np.generic):
        return obj.item()
    if hasattr(obj, "to_dict"):
        return obj.to_dict()
    if dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        return dataclasses.asdict(obj)
    if isinstance(obj, (set, frozenset, tuple)):
        return sorted(obj) if isinstance(obj, (set, frozenset)) else list(obj)
    raise TypeError(f"{type(obj).__name__} is not JSON-able")


def dumps(obj, indent: int | None = 2) -> str:
    """Strict JSON text (NaN and infinity refused: other readers reject them)."""
    return json.dumps(obj, indent=indent, default=json_default, allow_nan=False)


def canonical_hash(obj) -> str:
    """sha256 of canonical JSON: the same arguments give the same key on any machine."""
    try:
        text = json.dumps(obj, sort_keys=True, separators=(",", ":"), default=json_default, allow_nan=False)
    except (TypeError, ValueError) as exc:
        raise ParameterError(f"run arguments are not JSON-able ({exc}); pass run_arguments= describing the run"
                             ) from None
    return hashlib.sha256(text.encode()).hexdigest()


def plain_number(value):
    """A summary value as JSON: bool, int, float, str or None (NaN and infinity become None)."""
    if isinstance(value, np.generic):
        value = value.item()
    if value is None or isinstance(value, (bool, int, str)):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    raise TypeError(f"summary values must be numbers, booleans, strings or None, got {type(value).__name__}")
