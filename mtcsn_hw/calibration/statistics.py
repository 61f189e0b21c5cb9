"""Spread and yield over chips: per-field percentiles and moments, and pass fractions with Wilson intervals."""
from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

Z95 = 1.959963984540054  # two-sided 95 % normal quantile


def field_stats(values) -> dict:
    """n, count of missing (None/NaN), min, p10, median, p90, max, mean, std (ddof=1) of one numeric field."""
    present = np.array([v for v in values if v is not None], dtype=float)
    finite = present[np.isfinite(present)]
    out = {"n": int(finite.size), "missing": int(len(values) - finite.size)}
    if finite.size == 0:
        return out
    p10, median, p90 = np.percentile(finite, [10, 50, 90])
    out.update(min=float(finite.min()), p10=float(p10), median=float(median), p90=float(p90),
               max=float(finite.max()), mean=float(finite.mean()),
               std=float(finite.std(ddof=1)) if finite.size > 1 else 0.0)
    return out


def wilson_interval(passed: int, n: int, z: float = Z95) -> tuple[float, float]:
    """Wilson score interval of a binomial proportion (sound at 0 or n passes, unlike the normal one)."""
    if n <= 0:
        return 0.0, 1.0
    p = passed / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z / (1 + z * z / n) * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n))
    return max(0.0, centre - half), min(1.0, centre + half)


@dataclass(frozen=True)
class Band:
    """A yield criterion on one summary field: low <= chip[field] <= high (either bound may be None)."""

    field: str
    low: float | None = None
    high: float | None = None

    def __call__(self, summary: dict) -> bool | None:
        value = summary.get(self.field)
        if value is None or isinstance(value, (bool, str)):
            return None
        return (self.low is None or value >= self.low) and (self.high is None or value <= self.high)

    def describe(self) -> str:
        low = "" if self.low is None else f"{self.low:g} <= "
        high = "" if self.high is None else f" <= {self.high:g}"
        return f"{low}{self.field}{high}"


def describe(criterion) -> str:
    if isinstance(criterion, Band):
        return criterion.describe()
    doc = (getattr(criterion, "__doc__", None) or "").strip().splitlines()
    return doc[0] if doc else getattr(criterion, "__name__", "predicate")


def yield_stats(summaries: list[dict], criterion: Callable[[dict], bool | None], failed: int = 0) -> dict:
    """Fraction of chips passing, its Wilson 95 % interval, and the worst case counting failed chips as fails.

    A chip whose field is missing (the criterion returns None) is not evaluated.
    """
    verdicts = [criterion(s) for s in summaries]
    evaluated = [bool(v) for v in verdicts if v is not None]
    passed, n = sum(evaluated), len(evaluated)
    lo, hi = wilson_interval(passed, n)
    return {"criterion": describe(criterion), "passed": passed, "evaluated": n,
            "fraction": passed / n if n else None, "wilson95": [lo, hi],
            "fraction_failed_as_fail": passed / (n + failed) if n + failed else None}


def numeric_fields(summaries: list[dict]) -> list[str]:
    """Fields whose every present value is a number (bools and strings excluded), in first-seen order."""
    names = list(dict.fromkeys(k for s in summaries for k in s))
    return [k for k in names if all(_is_number(s.get(k)) for s in summaries if s.get(k) is not None)
            and any(s.get(k) is not None for s in summaries)]


def boolean_fields(summaries: list[dict]) -> list[str]:
    names = list(dict.fromkeys(k for s in summaries for k in s))
    return [k for k in names if all(isinstance(s.get(k), bool) for s in summaries if s.get(k) is not None)
            and any(s.get(k) is not None for s in summaries)]


def _is_number(value) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _is_true(field: str):
    def check(summary: dict):
        return summary.get(field)
    check.__doc__ = f"{field} is true"
    return check


def summarise(records: list[dict], failures: dict[int, str], requested: int, yields: dict | None = None) -> dict:
    """summary.json's body: per-chip table sorted by seed, spread of every numeric field, yields, failures.

    records: result.json contents ({"seed", "summary"}); yields: name -> Band or predicate(summary) -> bool;
    boolean summary fields are reported as yields of their own.
    """
    records = sorted(records, key=lambda r: r["seed"])
    summaries = [r["summary"] for r in records]
    criteria = {f: _is_true(f) for f in boolean_fields(summaries)}
    criteria.update(yields or {})
    return {
        "chips": requested,
        "done": len(records),
        "failed": len(failures),
        "fields": {f: field_stats([s.get(f) for s in summaries]) for f in numeric_fields(summaries)},
        "yields": {name: yield_stats(summaries, c, len(failures)) for name, c in criteria.items()},
        "failures": [{"seed": seed, "reason": reason} for seed, reason in sorted(failures.items())],
        "per_chip": [{"seed": r["seed"], **r["summary"]} for r in records],
    }
