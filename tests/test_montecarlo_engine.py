"""The Monte Carlo engine on a real process pool: identical results for any worker count, resume, and
failure isolation (a raising chip, a chip that kills its worker), with a cheap real job (a perturbed
model neuron). Jobs are top-level functions here so that spawned workers can import them."""
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from mtcsn_hw.calibration import ChipResult, run_sweep
from mtcsn_hw.calibration.example_jobs import perturbed_model_neuron
from mtcsn_hw.calibration.run_folder import RunFolder
from mtcsn_hw.errors import MTCSNError, ParameterError, SimulationError

CONTEXT = {"preset": "tonic", "sigma_alpha": 0.15, "sigma_delta": 0.15, "t_end": 200.0}


def counted_job(seed: int, context: dict) -> ChipResult:
    """perturbed_model_neuron that logs every attempt, and dies or raises for the seeds it is told to."""
    with open(Path(context["counter_dir"]) / f"seed-{seed}", "a") as log:
        log.write("attempt\n")
    if seed in context.get("exit_seeds", ()):
        os._exit(3)
    if seed in context.get("kill_seeds", ()):  # as the out-of-memory killer would
        os.kill(os.getpid(), signal.SIGKILL)
    if seed in context.get("raise_seeds", ()) and Path(context["raise_while"]).exists():
        raise SimulationError("ngspice does not converge (injected)\nsecond line")
    time.sleep(context.get("hang_s", 0.0) if seed in context.get("hang_seeds", ()) else context.get("sleep", 0.0))
    return perturbed_model_neuron(seed, context)


def attempts(counter_dir: Path) -> dict:
    return {int(p.name.split("-")[1]): len(p.read_text().splitlines()) for p in counter_dir.glob("seed-*")}


def folder_contents(path: Path) -> dict:
    """Every file of every chip, plus summary.json: what must not depend on workers or completion order."""
    out = {str(p.relative_to(path)): p.read_bytes() for p in sorted((path / "chips").rglob("*")) if p.is_file()}
    out["summary.json"] = (path / "summary.json").read_bytes()
    return out


def direct_summary(seed: int, context: dict) -> dict:
    """The job called in this process: the reference each chip's result.json must match."""
    return json.loads(json.dumps(perturbed_model_neuron(seed, context).summary))


def test_results_do_not_depend_on_worker_count_and_match_direct_calls(tmp_path):
    one = run_sweep(perturbed_model_neuron, tmp_path / "w1", chips=6, context=CONTEXT, workers=1)
    two = run_sweep(perturbed_model_neuron, tmp_path / "w2", chips=6, context=CONTEXT, workers=2)
    assert sorted(one.computed) == sorted(two.computed) == list(range(6)) and not one.failed
    assert folder_contents(tmp_path / "w1") == folder_contents(tmp_path / "w2")
    summary = json.loads((tmp_path / "w2" / "summary.json").read_text())
    assert [row["seed"] for row in summary["per_chip"]] == list(range(6))
    for seed in range(6):
        chip = json.loads((tmp_path / "w2" / "chips" / f"chip-{seed}" / "result.json").read_text())
        assert chip["seed"] == seed and chip["summary"] == direct_summary(seed, CONTEXT)
    spikes = [row["spikes"] for row in summary["per_chip"]]
    assert len(set(spikes)) > 1, "the perturbation should spread the spike counts"
    assert summary["fields"]["spikes"]["max"] == max(spikes)


def test_rerun_recomputes_only_a_deleted_chip(tmp_path):
    counter = tmp_path / "counter"
    counter.mkdir()
    ctx = {**CONTEXT, "counter_dir": str(counter)}
    out = tmp_path / "run"
    run_sweep(counted_job, out, chips=5, context=ctx, workers=2)
    before = folder_contents(out)
    stamps = {s: (out / "chips" / f"chip-{s}" / "result.json").stat().st_mtime_ns for s in range(5)}
    import shutil
    shutil.rmtree(out / "chips" / "chip-2")
    again = run_sweep(counted_job, out, chips=5, context=ctx, workers=2)
    assert again.computed == [2] and again.skipped == [0, 1, 3, 4]
    assert attempts(counter) == {0: 1, 1: 1, 2: 2, 3: 1, 4: 1}
    assert all((out / "chips" / f"chip-{s}" / "result.json").stat().st_mtime_ns == stamps[s] for s in (0, 1, 3, 4))
    assert folder_contents(out) == before


KILLED_SWEEP = """
import sys
from mtcsn_hw.calibration import run_sweep
import test_montecarlo_engine as t
if __name__ == "__main__":
    run_sweep(t.counted_job, sys.argv[1], chips=6, context=t.CONTEXT | {"counter_dir": sys.argv[2], "sleep": 0.4},
              workers=1, progress=False)
"""


def test_killed_sweep_resumes_with_no_gaps_and_no_duplicates(tmp_path):
    counter = tmp_path / "counter"
    counter.mkdir()
    out = tmp_path / "run"
    script = tmp_path / "sweep.py"
    script.write_text(KILLED_SWEEP)
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(Path(__file__).parent), *sys.path])}
    proc = subprocess.Popen([sys.executable, str(script), str(out), str(counter)], env=env)
    deadline = time.time() + 120
    while len(list((out / "chips").glob("chip-*"))) < 2 and time.time() < deadline and proc.poll() is None:
        time.sleep(0.05)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    done_before = {int(p.name.split("-")[1]) for p in (out / "chips").glob("chip-*")}
    assert 2 <= len(done_before) < 6, "the sweep should have been killed part-way"
    ctx = {**CONTEXT, "counter_dir": str(counter), "sleep": 0.4}
    report = run_sweep(counted_job, out, chips=6, context=ctx, workers=2)
    assert sorted(report.skipped) == sorted(done_before)
    assert sorted(report.computed) == sorted(set(range(6)) - done_before)
    counts = attempts(counter)
    assert all(counts[s] == 1 for s in done_before), "a chip already written must not run again"
    assert sorted(p.name for p in (out / "chips").iterdir()) == sorted(f"chip-{s}" for s in range(6))
    for seed in range(6):
        chip = json.loads((out / "chips" / f"chip-{seed}" / "result.json").read_text())
        assert chip["summary"] == direct_summary(seed, ctx)


def test_raising_chip_is_recorded_and_retried_on_rerun(tmp_path, capsys):
    counter = tmp_path / "counter"
    counter.mkdir()
    flag = tmp_path / "diverge"
    flag.write_text("")
    ctx = {**CONTEXT, "counter_dir": str(counter), "raise_seeds": [1], "raise_while": str(flag)}
    out = tmp_path / "run"
    report = run_sweep(counted_job, out, chips=4, context=ctx, workers=2, progress=True)
    assert sorted(report.computed) == [0, 2, 3] and list(report.failed) == [1]
    bar = capsys.readouterr().err
    assert "4/4" in bar and "done 3, failed 1" in bar
    record = json.loads((out / "failed" / "chip-1.json").read_text())
    assert record == {"seed": 1, "reason": "SimulationError: ngspice does not converge (injected)"}
    summary = json.loads((out / "summary.json").read_text())
    assert summary["done"] == 3 and summary["failed"] == 1 and summary["failures"][0]["seed"] == 1
    assert attempts(counter)[1] == 1, "an exception is the chip's result, not a reason to retry"
    flag.unlink()
    again = run_sweep(counted_job, out, chips=4, context=ctx, workers=2)
    assert again.computed == [1] and not again.failed
    assert not (out / "failed" / "chip-1.json").exists()
    assert json.loads((out / "summary.json").read_text())["failed"] == 0


@pytest.mark.parametrize("how, reason", [("exit_seeds", "worker died: exit code 3"),
                                         ("kill_seeds", "worker died: killed by SIGKILL")])
def test_chip_that_kills_its_worker_is_retried_once_then_recorded(tmp_path, how, reason):
    counter = tmp_path / "counter"
    counter.mkdir()
    ctx = {**CONTEXT, "counter_dir": str(counter), how: [2]}
    out = tmp_path / "run"
    report = run_sweep(counted_job, out, chips=6, context=ctx, workers=2)
    assert sorted(report.computed) == [0, 1, 3, 4, 5] and list(report.failed) == [2]
    assert report.failed[2] == reason
    assert json.loads((out / "failed" / "chip-2.json").read_text())["reason"] == reason
    assert attempts(counter) == {0: 1, 1: 1, 2: 2, 3: 1, 4: 1, 5: 1}, "only the guilty chip is retried"
    for seed in (0, 1, 3, 4, 5):
        chip = json.loads((out / "chips" / f"chip-{seed}" / "result.json").read_text())
        assert chip["summary"] == direct_summary(seed, ctx)


def test_hung_chip_is_stopped_by_the_chip_timeout(tmp_path):
    counter = tmp_path / "counter"
    counter.mkdir()
    ctx = {**CONTEXT, "counter_dir": str(counter), "hang_seeds": [1], "hang_s": 60.0}
    start = time.monotonic()
    report = run_sweep(counted_job, tmp_path / "run", chips=4, context=ctx, workers=2, chip_timeout=3.0)
    assert time.monotonic() - start < 40
    assert sorted(report.computed) == [0, 2, 3]
    assert report.failed == {1: "timed out after 3 s (worker killed)"}
    assert attempts(counter) == {0: 1, 1: 1, 2: 1, 3: 1}


def test_a_folder_holding_another_run_is_refused_in_one_line(tmp_path):
    out = tmp_path / "run"
    run_sweep(perturbed_model_neuron, out, chips=1, context=CONTEXT, workers=1)
    with pytest.raises(ParameterError, match="holds a different run") as err:
        run_sweep(perturbed_model_neuron, out, chips=1, context={**CONTEXT, "t_end": 100.0}, workers=1)
    assert "\n" not in str(err.value)
    report = run_sweep(perturbed_model_neuron, out, chips=1, context={**CONTEXT, "t_end": 100.0}, workers=1,
                       overwrite=True)
    assert report.computed == [0]
    assert json.loads((out / "run.json").read_text())["run_key"] == report.run_key


def test_run_json_records_numpy_arguments(tmp_path):
    import numpy as np
    folder = RunFolder(tmp_path)
    folder.open("k", {"context": {"weights": np.arange(3.0), "n": np.int64(2)}, "seeds": [0]})
    folder.close()
    assert json.loads((tmp_path / "run.json").read_text())["arguments"]["context"] == {"weights": [0.0, 1.0, 2.0],
                                                                                       "n": 2}


def test_a_second_sweep_into_a_busy_folder_is_refused(tmp_path):
    first = RunFolder(tmp_path)
    first.open("k", {})
    try:
        with pytest.raises(MTCSNError, match="another sweep"):
            RunFolder(tmp_path).open("k", {})
    finally:
        first.close()


def nested_job_factory():
    def job(seed, context):
        return ChipResult()
    return job


@pytest.mark.parametrize("kwargs, message", [
    ({"chips": 0}, "positive integer"),
    ({"chips": -3}, "positive integer"),
    ({"chips": 2.5}, "must be an integer"),
    ({"chips": "4"}, "must be an integer"),
    ({"seeds": [1, 1.5]}, "seed must be an integer"),
    ({"seeds": [1, True]}, "seed must be an integer"),
    ({"seeds": [3, 3]}, "must not repeat"),
    ({"seeds": [-1]}, ">= 0"),
    ({"chips": 2, "workers": 0}, "worker count"),
    ({"chips": 2, "job": nested_job_factory()}, "picklable"),
    ({"chips": 2, "context": {"f": lambda: 0}}, "picklable"),
    ({"chips": 2, "context": {"f": object()}}, "not JSON-able"),
    ({"chips": 2, "yields": {"in spec": "spikes > 3"}}, "yield 'in spec'"),
    ({"chips": 2, "chip_timeout": 0}, "chip_timeout"),
    ({"chips": 2, "chip_timeout": 5, "dask_address": "tcp://127.0.0.1:1"}, "local process pool"),
])
def test_bad_input_is_one_clear_line(tmp_path, kwargs, message):
    kwargs = {"job": perturbed_model_neuron, **kwargs}
    with pytest.raises(ParameterError, match=message) as err:
        run_sweep(kwargs.pop("job"), tmp_path / "run", **kwargs)
    assert "\n" not in str(err.value)
    assert not (tmp_path / "run").exists()


def test_unwritable_output_folder_is_one_clear_line(tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    with pytest.raises(ParameterError, match="cannot write to output folder") as err:
        run_sweep(perturbed_model_neuron, blocker / "run", chips=1)
    assert "\n" not in str(err.value)
