import numpy as np
import pytest

from mtcsn_hw.model.spike_metrics import coincidence_factor, van_rossum_distance, victor_purpura_distance


def test_coincidence_factor_identical_shifted_and_random():
    a = np.arange(10, 1000, 37.0)
    assert coincidence_factor(a, a, 2.0, 1000) == pytest.approx(1.0)
    assert coincidence_factor(a, a + 1.5, 2.0, 1000) == pytest.approx(1.0)
    assert coincidence_factor(a, a + 3.0, 2.0, 1000) < 0
    rng = np.random.default_rng(1)
    chance = [coincidence_factor(a, np.sort(rng.uniform(0, 1000, a.size)), 2.0, 1000) for _ in range(200)]
    assert abs(np.mean(chance)) < 0.03          # Poisson trains score ~0 on average


def test_coincidence_factor_counts_each_spike_once():
    # two reference spikes near one other spike: only one coincidence
    g = coincidence_factor([10.0, 10.5], [10.2], 1.0, 100.0)
    n_coinc, nu = 1, 1 / 100.0
    expected = (n_coinc - 2 * nu * 1.0 * 2) / (0.5 * 3 * (1 - 2 * nu * 1.0))
    assert g == pytest.approx(expected)


def test_victor_purpura_hand_cases():
    assert victor_purpura_distance([1.0], [1.0], 1.0) == 0
    assert victor_purpura_distance([1.0], [1.5], 1.0) == pytest.approx(0.5)     # shift
    assert victor_purpura_distance([1.0], [4.0], 1.0) == pytest.approx(2.0)     # delete + insert beats 3
    assert victor_purpura_distance([1.0, 2.0], [], 1.0) == 2


def test_van_rossum_matches_numerical_integral():
    a, b, tau = np.array([1.0, 5.0, 9.0]), np.array([1.5, 7.0]), 2.0
    t = np.linspace(0, 60, 600001)

    def filt(train):
        return sum(np.where(t >= s, np.exp(-(t - s) / tau), 0.0) for s in train)
    numeric = np.sqrt(np.trapezoid((filt(a) - filt(b)) ** 2, t) / tau)
    assert van_rossum_distance(a, b, tau) == pytest.approx(numeric, rel=1e-3)
    assert van_rossum_distance([3.0], [], tau) == pytest.approx(np.sqrt(0.5))
