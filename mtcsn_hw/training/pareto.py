"""Accuracy-activity fronts from sweep records: per-trial summaries, Pareto fronts, and the claim's ratios.

Selection uses validation numbers only (the held-out tail of the train part); what is reported about a
selected point are its test numbers, with the spread over seeds.
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

import numpy as np

# activity measures on the fronts' x axes: key in the metrics dict, axis label
ACTIVITY = {
    "spike_rate": "spike events per neuron per step",
    "nonzero_fraction": "nonzero outputs per neuron per step",
    "synops_energy_pj": "effective synaptic ops per step, energy-weighted (pJ)",
}


@dataclass
class TrialSummary:
    name: str
    model: str
    overrides: dict
    seeds: list
    val: dict    # metric -> per-seed values (np.ndarray, seed order)
    test: dict

    def mean(self, split: str, key: str) -> float:
        return float(np.mean(getattr(self, split)[key]))

    def std(self, split: str, key: str) -> float:
        v = getattr(self, split)[key]
        return float(np.std(v, ddof=1)) if len(v) > 1 else 0.0


def summarise(records: list[dict], protocol: str = "direct", seeds=None) -> list[TrialSummary]:
    """One summary per trial, over the seeds it has (restricted to `seeds` if given), in record order."""
    groups = defaultdict(list)
    for r in records:
        if r["protocol"] == protocol and (seeds is None or r["seed"] in seeds):
            groups[r["trial"]].append(r)
    out = []
    for name, rs in groups.items():
        rs = sorted(rs, key=lambda r: r["seed"])
        keys = rs[0]["test"].keys()
        out.append(TrialSummary(
            name=name, model=rs[0]["model"], overrides=rs[0]["overrides"], seeds=[r["seed"] for r in rs],
            val={k: np.array([r["val"][k] for r in rs], float) for k in keys},
            test={k: np.array([r["test"][k] for r in rs], float) for k in keys}))
    return out


def pareto_front(trials: list[TrialSummary], activity: str, split: str = "val") -> list[TrialSummary]:
    """Trials not beaten in both sMAPE and `activity` (means over seeds), sparsest first."""
    ordered = sorted(trials, key=lambda t: (t.mean(split, activity), t.mean(split, "smape")))
    front, best = [], np.inf
    for t in ordered:
        if t.mean(split, "smape") < best:
            front.append(t)
            best = t.mean(split, "smape")
    return front


def most_accurate(trials: list[TrialSummary]) -> TrialSummary:
    return min(trials, key=lambda t: t.mean("val", "smape"))


def sparsest_at_least_as_accurate(trials, reference: TrialSummary, activity: str) -> TrialSummary | None:
    """The sparsest trial (validation `activity`) whose validation sMAPE is <= the reference's."""
    ok = [t for t in trials if t.mean("val", "smape") <= reference.mean("val", "smape")]
    return min(ok, key=lambda t: t.mean("val", activity)) if ok else None


def most_accurate_at_most_as_active(trials, reference: TrialSummary, activity: str) -> TrialSummary | None:
    """The most accurate trial (validation sMAPE) whose validation `activity` is <= the reference's."""
    ok = [t for t in trials if t.mean("val", activity) <= reference.mean("val", activity)]
    return most_accurate(ok) if ok else None


def paired(a: TrialSummary, b: TrialSummary, key: str, op) -> np.ndarray:
    """op(a, b) of the test `key`, seed by seed over the seeds both trials have."""
    common = [s for s in a.seeds if s in b.seeds]
    va = np.array([a.test[key][a.seeds.index(s)] for s in common])
    vb = np.array([b.test[key][b.seeds.index(s)] for s in common])
    return op(va, vb)
