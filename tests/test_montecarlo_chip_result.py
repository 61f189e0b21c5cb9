"""What a job may return: checked in the worker, so a bad result fails its chip with a clear reason."""
import numpy as np
import pytest

from mtcsn_hw.calibration import ChipResult
from mtcsn_hw.calibration.chip_result import encode_result
from mtcsn_hw.calibration.outcome import run_chip


def test_summary_values_become_plain_json_and_files_bytes():
    summary, files = encode_result(ChipResult(
        summary={"spikes": np.int64(6), "isi": float("nan"), "ok": True, "regime": "tonic"},
        files={"a.txt": "text", "b.bin": b"\x00\x01", "c.json": {"t": np.arange(3.0)}}))
    assert summary == {"spikes": 6, "isi": None, "ok": True, "regime": "tonic"}
    assert type(summary["spikes"]) is int
    assert files["a.txt"] == b"text" and files["b.bin"] == b"\x00\x01"
    assert files["c.json"].decode().replace(" ", "").replace("\n", "") == '{"t":[0.0,1.0,2.0]}'


def job_returning(seed, context):
    return context["result"]


@pytest.mark.parametrize("result, reason", [
    ({"spikes": 3}, "expected a ChipResult"),
    (ChipResult(summary={"seed": 1}), "'seed' is reserved"),
    (ChipResult(summary={"trace": [1, 2]}), "summary field 'trace'"),
    (ChipResult(files={"../escape.txt": "x"}), "bad chip file name"),
    (ChipResult(files={"result.json": "x"}), "bad chip file name"),
    (ChipResult(files={"x.json": {"f": float("inf")}}), "chip file 'x.json'"),
])
def test_a_bad_result_fails_its_chip_with_one_line(result, reason):
    outcome = run_chip(job_returning, 4, {"result": result})
    assert not outcome.ok and outcome.seed == 4
    assert reason in outcome.reason and "\n" not in outcome.reason
