"""The same sweep on a real dask LocalCluster (2 worker processes): identical results to the process pool,
and a chip that kills its dask worker is retried once, then recorded failed while the rest completes."""
import json

import dask
import pytest
from test_montecarlo_engine import CONTEXT, attempts, counted_job, direct_summary, folder_contents

from mtcsn_hw.calibration import run_sweep
from mtcsn_hw.calibration.example_jobs import perturbed_model_neuron

distributed = pytest.importorskip("distributed")


@pytest.fixture(scope="module")
def scheduler():
    # allowed-failures 0: dask gives up on the first dead worker and the engine's own retry (alone on the
    # cluster) is the one retry, as with the process pool.
    with dask.config.set({"distributed.scheduler.allowed-failures": 0}):
        with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None,
                                      silence_logs=50) as cluster:
            yield cluster.scheduler_address


def test_dask_gives_the_same_folder_as_the_process_pool(tmp_path, scheduler):
    on_dask = run_sweep(perturbed_model_neuron, tmp_path / "dask", chips=6, context=CONTEXT, dask_address=scheduler)
    on_pool = run_sweep(perturbed_model_neuron, tmp_path / "pool", chips=6, context=CONTEXT, workers=2)
    assert sorted(on_dask.computed) == list(range(6)) and not on_dask.failed
    assert folder_contents(tmp_path / "dask") == folder_contents(tmp_path / "pool")
    assert on_dask.run_key == on_pool.run_key


def test_chip_that_kills_its_dask_worker_is_retried_once_then_recorded(tmp_path, scheduler):
    counter = tmp_path / "counter"
    counter.mkdir()
    ctx = {**CONTEXT, "counter_dir": str(counter), "exit_seeds": [3]}
    out = tmp_path / "run"
    report = run_sweep(counted_job, out, chips=6, context=ctx, dask_address=scheduler)
    assert list(report.failed) == [3] and report.failed[3].startswith("worker died: dask KilledWorker")
    assert sorted(report.computed) == [0, 1, 2, 4, 5]
    assert attempts(counter) == {0: 1, 1: 1, 2: 1, 3: 2, 4: 1, 5: 1}, "only the guilty chip is retried"
    for seed in (0, 1, 2, 4, 5):
        chip = json.loads((out / "chips" / f"chip-{seed}" / "result.json").read_text())
        assert chip["summary"] == direct_summary(seed, ctx)
    assert json.loads((out / "summary.json").read_text())["failed"] == 1


def test_unreachable_scheduler_is_one_clear_line(tmp_path, monkeypatch):
    from mtcsn_hw.calibration import dask_backend
    from mtcsn_hw.errors import ParameterError
    monkeypatch.setattr(dask_backend, "CONNECT_TIMEOUT", "1s")
    with pytest.raises(ParameterError, match="cannot reach the dask scheduler") as err:
        run_sweep(perturbed_model_neuron, tmp_path / "run", chips=1, dask_address="tcp://127.0.0.1:1")
    assert "\n" not in str(err.value)
