import numpy as np
import pytest

from mtcsn_hw.errors import ParameterError
from mtcsn_hw.tasks import mackey_glass as mg
from mtcsn_hw.tasks.forecasting import Normaliser, max_start, training_windows


def test_rk4_converges_at_fourth_order():
    t = np.linspace(0, 400, 301)
    ref = mg.integrate(400, 1088)(t)
    errors = [np.abs(mg.integrate(400, m)(t) - ref).max() for m in (34, 68, 136)]
    orders = np.log2(np.array(errors[:-1]) / np.array(errors[1:]))
    assert errors[-1] < 1e-8
    assert np.all(orders > 3.5), (errors, orders)


def test_matches_method_of_steps_on_first_interval():
    # on [0, tau] the delayed term is the constant history: x' = c - gamma x has a closed form
    c = mg.BETA * mg.HISTORY / (1 + mg.HISTORY ** mg.N_EXP)
    t = np.linspace(0, mg.TAU, 50)
    exact = c / mg.GAMMA + (mg.HISTORY - c / mg.GAMMA) * np.exp(-mg.GAMMA * t)
    assert np.abs(mg.integrate(mg.TAU, 170)(t) - exact).max() < 1e-10


def test_default_series_is_converged_over_the_train_part():
    a = mg.neurobench_series(steps_per_tau=mg.DEFAULT_STEPS_PER_TAU)
    b = mg.neurobench_series(steps_per_tau=2 * mg.DEFAULT_STEPS_PER_TAU)
    assert np.abs(a.x[:a.n_train] - b.x[:b.n_train]).max() < 1e-6


def test_neurobench_sampling_and_split():
    s = mg.neurobench_series(extra=75)
    assert (s.n_train, s.n_test) == (750, 750)
    assert len(s.x) == 750 + 750 + 75
    assert np.allclose(np.diff(s.t), 197 / 75)
    assert s.x[0] == pytest.approx(mg.HISTORY)
    assert 0.2 < s.x.min() and s.x.max() < 1.5  # the chaotic attractor's range
    assert s.x.std() > 0.15


def test_hermite_interpolant_is_exact_for_cubics():
    h = 0.5
    grid = np.arange(0, 5.01, h)

    def p(t):
        return 0.3 * t**3 - t**2 + 2 * t - 1

    def dp(t):
        return 0.9 * t**2 - 2 * t + 2

    sol = mg.DenseSolution(h=h, x=p(grid), f=dp(grid))
    t = np.linspace(0, 5, 37)
    assert np.allclose(sol(t), p(t), atol=1e-12)
    with pytest.raises(ParameterError):
        sol(np.array([5.5]))


def test_series_round_trips_through_arrays():
    s = mg.neurobench_series(train_lyap=1, test_lyap=1, extra=3)
    back = mg.MackeyGlassSeries.from_arrays(s.to_arrays())
    assert np.array_equal(back.x, s.x) and (back.n_train, back.n_test) == (75, 75)


def test_training_windows_stay_inside_the_train_part():
    u = np.arange(100.0)
    x, y = training_windows(u, 100, 5, 10, np.array([0, 85]))
    assert x.shape == (10, 2) and np.array_equal(y - x, np.full((10, 2), 5.0))
    assert max_start(100, 5, 10) == 85
    with pytest.raises(ParameterError):
        training_windows(u, 100, 5, 10, np.array([86]))
    n = Normaliser.fit(np.array([1.0, 3.0]))
    assert n(np.array([1.0, 3.0])).tolist() == [-1.0, 1.0] and n.inverse(np.array([1.0]))[0] == 3.0
