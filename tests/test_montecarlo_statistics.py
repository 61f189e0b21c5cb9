"""summary.json's statistics against independent references: numpy percentiles and moments, scipy's Wilson
interval, and yields counted by hand."""
import numpy as np
import pytest
from scipy.stats import binomtest

from mtcsn_hw.calibration import Band, field_stats, wilson_interval
from mtcsn_hw.calibration.statistics import summarise, yield_stats


def test_field_stats_match_numpy_and_skip_missing_values():
    rng = np.random.default_rng(7)
    values = list(rng.lognormal(size=41))
    stats = field_stats(values + [None, None])
    x = np.array(values)
    assert stats["n"] == 41 and stats["missing"] == 2
    assert stats["median"] == pytest.approx(np.median(x))
    assert stats["p10"] == pytest.approx(np.quantile(x, 0.1)) and stats["p90"] == pytest.approx(np.quantile(x, 0.9))
    assert (stats["min"], stats["max"]) == (x.min(), x.max())
    assert stats["mean"] == pytest.approx(x.mean()) and stats["std"] == pytest.approx(x.std(ddof=1))


def test_field_stats_of_one_or_no_value():
    assert field_stats([3.0]) == {"n": 1, "missing": 0, "min": 3.0, "p10": 3.0, "median": 3.0, "p90": 3.0,
                                  "max": 3.0, "mean": 3.0, "std": 0.0}
    assert field_stats([None]) == {"n": 0, "missing": 1}


@pytest.mark.parametrize("passed, n", [(0, 10), (3, 10), (10, 10), (47, 200), (1, 1)])
def test_wilson_interval_matches_scipy(passed, n):
    ci = binomtest(passed, n).proportion_ci(confidence_level=0.95, method="wilson")
    assert wilson_interval(passed, n) == pytest.approx((ci.low, ci.high), abs=1e-12)


def test_yield_counts_passes_and_leaves_missing_fields_out():
    summaries = [{"spikes": s} for s in (5, 6, 6, 7, 4, None)]
    result = yield_stats(summaries, Band("spikes", 5, 6), failed=2)
    assert (result["passed"], result["evaluated"]) == (3, 5)
    assert result["fraction"] == pytest.approx(3 / 5)
    assert result["fraction_failed_as_fail"] == pytest.approx(3 / 7)
    assert result["wilson95"] == pytest.approx(list(wilson_interval(3, 5)))
    assert result["criterion"] == "5 <= spikes <= 6"


def test_summary_sorts_by_seed_and_reports_every_kind_of_field():
    records = [{"seed": s, "summary": {"rate": r, "bursting": b, "regime": "tonic"}}
               for s, r, b in [(9, 0.3, True), (2, 0.1, False), (5, 0.2, True)]]
    body = summarise(records, {4: "worker died: exit code 3"}, requested=4,
                     yields={"fast": lambda chip: chip["rate"] > 0.15})
    assert [row["seed"] for row in body["per_chip"]] == [2, 5, 9]
    assert (body["chips"], body["done"], body["failed"]) == (4, 3, 1)
    assert list(body["fields"]) == ["rate"]
    assert body["fields"]["rate"]["median"] == pytest.approx(0.2)
    assert body["yields"]["bursting"]["passed"] == 2 and body["yields"]["fast"]["passed"] == 2
    assert body["failures"] == [{"seed": 4, "reason": "worker died: exit code 3"}]
