import numpy as np
import pytest

from mtcsn_hw.model.presets import PRESET_NAMES
from mtcsn_hw.model.regime_runs import run_preset
from mtcsn_hw.model.regimes import classify


@pytest.mark.parametrize("name", PRESET_NAMES)
def test_each_preset_is_classified_as_its_own_regime(name):
    r = run_preset(name)
    assert r["class"] == name


def test_phasic_preset_fires_a_few_spikes_right_after_the_step():
    r = run_preset("phasic")
    st = np.array(r["spike_times"])
    assert np.all(st > r["t_on"])                            # silent before the step
    assert 3 <= st.size <= 7 and st[-1] - r["t_on"] < 400    # DESIGN: ~5 spikes in the first ~260


def test_synthetic_trains():
    rng = np.random.default_rng(0)
    assert classify([], 0, 1000) == "silent"
    assert classify(np.arange(10, 1000, 50.0), 0, 1000) == "tonic"
    bursts = np.concatenate([b + np.arange(0, 350, 70.0) for b in (100, 2600, 5100, 7600)])
    assert classify(bursts, 0, 10000) == "bursting"
    assert classify([1010, 1060, 1110, 1160], 1000, 4000) == "phasic"
    poisson = [classify(np.sort(rng.uniform(0, 1000, 40)), 0, 1000) for _ in range(50)]
    assert poisson.count("irregular") >= 48
