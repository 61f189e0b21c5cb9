"""What a calibration folder adds to the report: per-chip before/after, the sMAPE ladder, convergence,
and the Monte Carlo I-V envelope, each with a plain note when the folder has no data for it."""
from __future__ import annotations

import json
from pathlib import Path

from mtcsn_hw.errors import ParameterError
from mtcsn_hw.report import figures
from mtcsn_hw.report.calibration_folder import history_series, iv_rmse_of, measured_iv, result_value, stage_value
from mtcsn_hw.report.checks import THRESHOLDS

RUNGS = ("nominal", "mismatched", "calibrated", "retrained", "robust")
STAGES = {"mismatched": "before", "calibrated": "after", "retrained": "retrained", "robust": "robust"}


def _num(value):
    return float(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else None


def chip_rows(calib: dict) -> list[dict]:
    rows = []
    for chip in calib["chips"]:
        r = chip["result"]
        rows.append({"chip": chip["folder"], "seed": chip["seed"],
                     "iv_rmse_before": iv_rmse_of(stage_value(r, "before", "iv_rmse")),
                     "iv_rmse_after": iv_rmse_of(stage_value(r, "after", "iv_rmse")),
                     "gamma_before": _num(stage_value(r, "before", "gamma")),
                     "gamma_after": _num(stage_value(r, "after", "gamma")),
                     "iterations": _num(result_value(r, "iterations"))})
    return rows


def recorded_ladder(checkpoint_path) -> dict | None:
    """The ladder a checkpoint retrained for one chip carries (ladder.json: nominal, mismatched, calibrated,
    retrained sMAPE on that chip), or None."""
    path = Path(checkpoint_path) / "ladder.json"
    if not path.is_file():
        return None
    try:
        data = json.loads(path.read_text())
    except (OSError, ValueError) as exc:
        raise ParameterError(f"cannot read {path}: {exc}") from None
    return data if isinstance(data, dict) and isinstance(data.get("smape"), dict) else None


def ladder(calib: dict | None, smape_nominal, recorded: dict | None = None) -> dict:
    chips = []
    for chip in (calib or {"chips": []})["chips"]:
        values = [smape_nominal] + [_num(stage_value(chip["result"], STAGES[r], "smape")) for r in RUNGS[1:]]
        chips.append({"chip": chip["folder"], "values": values})
    if recorded is not None:
        chips.append({"chip": f"chip-{recorded.get('seed')} (ladder.json)",
                      "values": [_num(recorded["smape"].get(r)) for r in RUNGS]})
    available = {r: (smape_nominal is not None if r == "nominal" else any(c["values"][i] is not None for c in chips))
                 for i, r in enumerate(RUNGS)}
    return {"rungs": list(RUNGS), "nominal": smape_nominal, "chips": chips, "available": available}


def calibration_numbers(calib: dict | None, nominal_iv: dict | None, smape_nominal, smape_limit,
                        recorded: dict | None = None) -> tuple[dict, dict]:
    """(data, figures); data is None-free JSON, figures only for what the folder (and a checkpoint's own
    ladder.json, `recorded`) holds."""
    lad = ladder(calib, smape_nominal, recorded)
    figs = {}
    if any(c["values"][1:] != [None] * (len(RUNGS) - 1) for c in lad["chips"]):
        per_chip = {c["chip"]: c["values"] for c in lad["chips"]}
        figs["ladder.png"] = ("sMAPE per chip across the ladder",
                              figures.ladder_figure(list(RUNGS), per_chip, smape_limit))
    if calib is None:
        return {"given": False, "ladder": lad}, figs
    data = {"given": True, "path": calib["path"], "chips": chip_rows(calib), "n_chips": len(calib["chips"]),
            "failed": [{"seed": str(f.get("seed")), "reason": str(f.get("reason"))} for f in calib["failed"]
                       if isinstance(f, dict)],
            "failed_count": len(calib["failed"]), "missing": calib["missing"], "ladder": lad,
            "summary": calib["summary"]}
    history = {c["folder"]: history_series(c["history"]) for c in calib["chips"] if c["history"] is not None}
    history = {k: v for k, v in history.items() if v}
    data["history"] = {k: {key: {"first": s[0], "last": s[-1], "iterations": len(s)} for key, s in v.items()}
                       for k, v in history.items()}
    if history:
        figs["convergence.png"] = ("calibration convergence per chip (history.json)",
                                   figures.convergence_figure(history))
    curves = [c for c in (measured_iv(ch["measurements"]) for ch in calib["chips"]) if c is not None]
    data["mc_iv_chips"] = len(curves)
    if curves and nominal_iv is not None:
        figs["mc_iv.png"] = ("Monte Carlo I-V envelope over the chips against the model; green band: spec limit",
                             figures.mc_iv_figure(nominal_iv, curves, THRESHOLDS["iv_rmse"]))
    return data, figs
