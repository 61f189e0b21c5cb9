"""`mtcsn-hw report`: validate the inputs, compute every number, then write the report folder atomically.

    OUT/report.html     one self-contained page (figures as data URIs, no external files)
    OUT/report.json     every number the page shows
    OUT/figures/*.png   every figure
    OUT/forecasts.npz   (forecasting checkpoints) y_true, y_model, y_circuit on the same test samples

Nothing is written until every number is computed; the folder then appears in one move.
"""
from __future__ import annotations

import io
import json
import math
import os
from pathlib import Path

import numpy as np

from mtcsn_hw.atomic import atomic_dir
from mtcsn_hw.errors import CheckpointError, ParameterError
from mtcsn_hw.report import checks as C
from mtcsn_hw.report.baselines import baseline_rows
from mtcsn_hw.report.calibration_folder import check_matches, read_calibration
from mtcsn_hw.report.calibration_page import calibration_section, ladder_section, provenance_section
from mtcsn_hw.report.calibration_view import calibration_numbers, recorded_ladder
from mtcsn_hw.report.circuit_runs import NGSPICE_SEED
from mtcsn_hw.report.energy import PUBLISHED, published_conversion
from mtcsn_hw.report.energy_page import energy_section
from mtcsn_hw.report.html_page import Page
from mtcsn_hw.report.provenance import provenance
from mtcsn_hw.report.report_page import forecasts, headline, iv_section, mapping, spike_table, traces

LEVELS = ("behavioral", "transistor")
FORMAT = "mtcsn-hw/report/1"


def plain(x):
    """JSON-safe: numpy scalars and arrays to Python, non-finite floats to None."""
    if isinstance(x, dict):
        return {str(k): plain(v) for k, v in x.items()}
    if isinstance(x, (list, tuple)):
        return [plain(v) for v in x]
    if isinstance(x, np.ndarray):
        return plain(x.tolist())
    if isinstance(x, (bool, np.bool_)):
        return bool(x)
    if isinstance(x, (int, np.integer)):
        return int(x)
    if isinstance(x, (float, np.floating)):
        return float(x) if math.isfinite(float(x)) else None
    return x


def check_writable(out: Path) -> None:
    if out.exists() and not out.is_dir():
        raise ParameterError(f"cannot write the report to {out}: it is a file, not a folder")
    if out.is_dir() and any(out.iterdir()) and not (out / "report.json").is_file():
        # the folder is replaced as a whole: never swallow a folder that is not an earlier report
        raise ParameterError(f"cannot write the report to {out}: it holds other files (choose a new folder)")
    parent = out.parent
    while not parent.exists():
        parent = parent.parent
    if not parent.is_dir() or not os.access(parent, os.W_OK | os.X_OK):
        raise ParameterError(f"cannot write the report to {out}: {parent} is not writable")


def resolve_subject(source: str | None, preset: str | None) -> dict:
    from mtcsn_hw.model.params import NeuronParams

    if bool(source) == bool(preset):
        raise ParameterError("give either models/NAME, PARAMS.json or --preset NAME (exactly one)")
    if preset:
        return {"kind": "neuron", "label": f"preset:{preset}", "params": NeuronParams.preset(preset), "preset": preset}
    path = Path(source)
    if path.is_dir():
        from mtcsn_hw.checkpoint.reader import read_checkpoint
        ck = read_checkpoint(path)
        return {"kind": "forecaster", "label": str(source), "checkpoint": ck}
    if path.is_file() and path.suffix.lower() == ".json":
        return {"kind": "neuron", "label": str(source), "params": NeuronParams.load(path), "preset": None}
    raise CheckpointError(f"no checkpoint folder or parameter file at {source}")


def _numbers(subject: dict, level: str, steps, skip_energy: bool):
    if subject["kind"] == "neuron":
        from mtcsn_hw.report.neuron_report import neuron_numbers
        data, figs = neuron_numbers(subject["params"], subject["preset"], level, skip_energy)
        return data, figs, None
    ck = subject["checkpoint"]
    if ck.model == "mtcsn":
        from mtcsn_hw.report.network_report import network_numbers
        return network_numbers(ck, level, steps, skip_energy)
    from mtcsn_hw.report.network_report import baseline_numbers
    return baseline_numbers(ck, steps)


def _seeds(subject: dict) -> dict:
    seeds = {"ngspice": NGSPICE_SEED}
    if subject["kind"] == "forecaster":
        seed = subject["checkpoint"].config.get("seed")
        seeds["training"] = int(seed) if isinstance(seed, int) else "not recorded"
    return seeds


def compute(subject: dict, level: str, calib: dict | None, steps, skip_energy: bool, argv,
            baselines: list | None = None) -> tuple[dict, dict, dict]:
    data, figs, arrays = _numbers(subject, level, steps, skip_energy)
    data["baselines"] = baselines or []
    nominal_iv = data.pop("_iv_curves", None)
    model_name = subject["checkpoint"].model if subject["kind"] == "forecaster" else "mtcsn"
    data.update({"format": FORMAT, "title": f"mtcsn-hw validation report: {subject['label']}, {level} level",
                 "source": subject["label"], "model": model_name, "level": level,
                 "thresholds": dict(C.THRESHOLDS), "published": PUBLISHED})
    if data.get("activity"):
        data["conversion"] = published_conversion(data["activity"])
    smape_nominal = data.get("smape_circuit")
    limit = None if data.get("smape_model") is None else data["smape_model"] * (1 + C.THRESHOLDS["smape_relative"])
    recorded = recorded_ladder(subject["checkpoint"].path) if subject["kind"] == "forecaster" else None
    data["calibration"], cal_figs = calibration_numbers(calib, nominal_iv, smape_nominal, limit, recorded)
    figs.update(cal_figs)
    data["checks"] = C.neuron_checks(data) if data["kind"] == "neuron" else C.forecaster_checks(data)
    data["overall"] = C.overall(data["checks"])
    data["exit_code"] = 1 if data["overall"] == "FAIL" else 0
    data["provenance"] = provenance(argv, _seeds(subject))
    data["figures"] = [f"figures/{name}" for name in figs]
    return plain(data), figs, arrays


def render(data: dict, figs: dict) -> str:
    pg = Page(data, "title")
    headline(pg)
    mapping(pg)
    iv_section(pg, figs)
    traces(pg, figs)
    spike_table(pg)
    forecasts(pg, figs)
    ladder_section(pg, figs)
    calibration_section(pg, figs)
    energy_section(pg, figs)
    provenance_section(pg)
    return pg.render()


def write(out: Path, data: dict, figs: dict, arrays: dict | None, page: str) -> None:
    import json

    with atomic_dir(out) as tmp:
        (tmp / "figures").mkdir()
        for name, (_, png) in figs.items():
            (tmp / "figures" / name).write_bytes(png)
        (tmp / "report.json").write_text(json.dumps(data, indent=1, allow_nan=False) + "\n")
        (tmp / "report.html").write_text(page, encoding="utf-8")
        if arrays is not None:
            buf = io.BytesIO()
            np.savez(buf, **{k: np.asarray(v, float) for k, v in arrays.items()})
            (tmp / "forecasts.npz").write_bytes(buf.getvalue())


def _retrained_from(subject: dict) -> str | None:
    """The source checkpoint of a chip-retrained checkpoint (its chip.json), else None."""
    if subject["kind"] == "neuron":
        return None
    try:
        record = json.loads((Path(subject["checkpoint"].path) / "chip.json").read_text())
    except (OSError, ValueError):
        return None
    return record.get("source") if isinstance(record, dict) and isinstance(record.get("source"), str) else None


def _check_same_neurons(calib: dict, subject: dict) -> None:
    """A folder of the same name is not enough: the calibrated targets (run.json) must be the subject's neurons."""
    from mtcsn_hw.model.params import NeuronParams
    from mtcsn_hw.retraining.calibrated_chip import check_same_network

    args = calib["run"].get("arguments") if isinstance(calib["run"], dict) else None
    targets = args.get("neurons") if isinstance(args, dict) else None
    if not isinstance(targets, list):
        return
    try:
        targets = [NeuronParams.from_dict(d) for d in targets]
    except (ParameterError, TypeError, ValueError, AttributeError):
        raise ParameterError(f"calibration folder {calib['path']}: run.json's neurons cannot be read") from None
    mine = [subject["params"]] if subject["kind"] == "neuron" else subject["checkpoint"].neurons()
    check_same_network(targets, mine, calib["path"], subject["label"])


def build_report(source: str | None = None, preset: str | None = None, out="report", level: str = "behavioral",
                 calibration=None, steps: int | None = None, skip_energy: bool = False,
                 argv: list[str] | None = None, compare: list | None = None) -> dict:
    """Validate, compute, write OUT atomically; returns report.json's content."""
    if level not in LEVELS:
        raise ParameterError(f"unknown level {level!r}; choose one of {', '.join(LEVELS)}")
    if steps is not None and int(steps) < 2:
        raise ParameterError(f"--steps must be at least 2, got {steps}")
    out = Path(out)
    subject = resolve_subject(source, preset)
    calib = None
    if calibration is not None:
        calib = read_calibration(calibration)
        n = 1 if subject["kind"] == "neuron" else len(subject["checkpoint"].params.get("neurons") or [])
        made_from = _retrained_from(subject)
        check_matches(calib, subject["label"], n, made_from=made_from)
        if made_from is None:
            _check_same_neurons(calib, subject)
    baselines = baseline_rows(compare)
    check_writable(out)
    data, figs, arrays = compute(subject, level, calib, steps, skip_energy, argv, baselines)
    write(out, data, figs, arrays, render(data, figs))
    return data
