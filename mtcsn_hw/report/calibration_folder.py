"""Read a calibration / Monte Carlo output folder (the shared format) for the report, tolerantly.

    DIR/run.json, DIR/summary.json, DIR/chips/chip-<seed>/{result,history,measurements,twin}.json,
    DIR/failed/chip-<seed>.json

Only what is there is read; what is absent is listed in `missing` so the page can say so. A folder that
names another source, or whose twins have another number of neurons, is refused before anything is written.
"""
from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from mtcsn_hw.errors import ParameterError

SOURCE_KEYS = ("source", "checkpoint", "model", "params", "preset", "path")
TIMESCALES = ("fast", "slow", "ultraslow")


def _json(path: Path):
    try:
        return json.loads(path.read_text())
    except FileNotFoundError:
        return None
    except (OSError, ValueError, UnicodeDecodeError) as exc:
        raise ParameterError(f"calibration folder: cannot read {path}: {exc}") from None


def _twin_neurons(twin) -> int | None:
    if not isinstance(twin, dict):
        return None
    if isinstance(twin.get("neurons"), list):
        return len(twin["neurons"])
    return 1 if "elements" in twin else None


def _chip(folder: Path) -> dict:
    seed = folder.name.removeprefix("chip-")
    chip = {"seed": seed, "folder": folder.name}
    for name in ("result", "history", "measurements", "twin"):
        chip[name] = _json(folder / f"{name}.json")
    chip["files"] = sorted(p.name for p in folder.iterdir())
    return chip


def read_calibration(path) -> dict:
    path = Path(path)
    if not path.is_dir():
        raise ParameterError(f"no calibration folder at {path}")
    chips_dir = path / "chips"
    chips = [_chip(d) for d in sorted(chips_dir.iterdir()) if d.is_dir() and d.name.startswith("chip-")] \
        if chips_dir.is_dir() else []
    run = _json(path / "run.json")
    if run is None and not chips:
        raise ParameterError(f"{path} is not a calibration folder (no run.json, no chips/chip-*)")
    failed = [_json(p) for p in sorted((path / "failed").glob("chip-*.json"))] if (path / "failed").is_dir() else []
    out = {"path": str(path), "run": run, "summary": _json(path / "summary.json"), "chips": chips,
           "failed": [f for f in failed if f is not None], "missing": []}
    if run is None:
        out["missing"].append("run.json")
    if out["summary"] is None:
        out["missing"].append("summary.json")
    for name in ("result", "history", "measurements", "twin"):
        absent = [c["folder"] for c in chips if c[name] is None]
        if absent:
            out["missing"].append(f"{name}.json in {len(absent)} of {len(chips)} chip folders")
    return out


def named_source(run) -> str | None:
    if not isinstance(run, dict):
        return None
    for where in (run, run.get("arguments") if isinstance(run.get("arguments"), dict) else {}):
        for key in SOURCE_KEYS:
            if isinstance(where.get(key), str) and where[key]:
                return where[key]
    return None


def _same_source(named: str, source: str) -> bool:
    def norm(s: str) -> str:
        return Path(s.removeprefix("preset:").rstrip("/")).name.lower()
    return norm(named) == norm(source)


def check_matches(calib: dict, source: str, n_neurons: int, made_from: str | None = None) -> None:
    """ParameterError when the folder was made for another checkpoint, preset or neuron. made_from: the
    checkpoint a chip-retrained checkpoint was made from (its chip.json), whose folders it may show."""
    named = named_source(calib["run"])
    if named is not None and not _same_source(named, source) and not (made_from and _same_source(named, made_from)):
        raise ParameterError(f"calibration folder {calib['path']} is for {named}, not for {source}")
    for chip in calib["chips"]:
        n = _twin_neurons(chip["twin"])
        if n is not None and n != n_neurons:
            raise ParameterError(f"calibration folder {calib['path']}: {chip['folder']}/twin.json has {n} neuron(s), "
                                 f"{source} has {n_neurons}")


def stage_value(result, stage: str, key: str):
    """result[stage][key] (stage: before/after/retrained/robust), result[f"{key}_{stage}"], or, in the engine's
    chip result.json, result["summary"][f"{stage}.{key}"]; else None."""
    if not isinstance(result, dict):
        return None
    summary = result.get("summary")
    if isinstance(summary, dict) and f"{stage}.{key}" in summary:
        return summary[f"{stage}.{key}"]
    block = result.get(stage)
    return block.get(key) if isinstance(block, dict) else result.get(f"{key}_{stage}")


def result_value(result, key: str):
    """A stage-free number of a chip's result (e.g. iterations): result[key] or result["summary"][key]."""
    if not isinstance(result, dict):
        return None
    summary = result.get("summary")
    return summary.get(key) if isinstance(summary, dict) and key in summary else result.get(key)


def iv_rmse_of(value) -> dict | None:
    """An I-V RMSE entry as {timescale: fraction}; a bare number counts for every timescale."""
    if isinstance(value, (int, float)):
        return {k: float(value) for k in TIMESCALES}
    if isinstance(value, dict):
        out = {k: float(value[k]) for k in TIMESCALES if isinstance(value.get(k), (int, float))}
        return out or None
    return None


def history_series(history) -> dict:
    """Numeric per-iteration series of a history.json (a list of records or {"iterations": [...]})."""
    items = history.get("iterations") if isinstance(history, dict) else history
    if not isinstance(items, list):
        return {}
    series: dict = {}
    for rec in items:
        if not isinstance(rec, dict):
            continue
        for key, value in rec.items():
            if isinstance(value, (int, float)) and not isinstance(value, bool) and key != "iteration":
                series.setdefault(key, []).append(float(value))
            elif key == "iv_rmse" and iv_rmse_of(value):
                for ts, v in iv_rmse_of(value).items():
                    series.setdefault(f"iv_rmse_{ts}", []).append(v)
    return {k: v for k, v in series.items() if len(v) > 1}


def measured_iv(measurements) -> dict | None:
    """I-V curves a chip's measurements.json holds: {"iv": {"v": [...], "fast": [...], ...}}, else None."""
    if not isinstance(measurements, dict) or not isinstance(measurements.get("iv"), dict):
        return None
    iv = measurements["iv"]
    if not isinstance(iv.get("v"), list):
        return None
    n = len(iv["v"])
    curves = {k: np.asarray(iv[k], float) for k in TIMESCALES if isinstance(iv.get(k), list) and len(iv[k]) == n}
    return {"v": np.asarray(iv["v"], float), **curves} if curves else None
