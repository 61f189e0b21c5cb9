"""The fronts' table (JSON + markdown) and the headline comparisons, from sweep records."""
from __future__ import annotations

import numpy as np

from mtcsn_hw.training.pareto import (
    ACTIVITY,
    TrialSummary,
    most_accurate,
    most_accurate_at_most_as_active,
    paired,
    pareto_front,
    sparsest_at_least_as_accurate,
)

MODELS = ("mtcsn", "lif", "adlif")
LABEL = {"mtcsn": "MTCSN", "lif": "LIF", "adlif": "SE-adLIF"}
COLUMNS = (("smape", 2), ("nrmse", 3), ("spike_rate", 4), ("nonzero_fraction", 4), ("synops_effective_acs", 1),
           ("synops_effective_macs", 1), ("synops_energy_pj", 0))
SHORT = {"spike_rate": "e", "nonzero_fraction": "n", "synops_energy_pj": "s"}


def spread(v) -> dict:
    v = np.asarray(v, float)
    return {"mean": float(v.mean()), "std": float(v.std(ddof=1)) if len(v) > 1 else 0.0, "n": len(v)}


def fmt(s: dict, digits: int) -> str:
    return f"{s['mean']:.{digits}f} ± {s['std']:.{digits}f}" if s["n"] > 1 else f"{s['mean']:.{digits}f}"


def by_model(trials: list[TrialSummary]) -> dict:
    return {m: [t for t in trials if t.model == m] for m in MODELS if any(t.model == m for t in trials)}


def point(t: TrialSummary) -> dict:
    return {"trial": t.name, "model": t.model, "seeds": t.seeds, "overrides": t.overrides,
            "val": {k: spread(t.val[k]) for k, _ in COLUMNS}, "test": {k: spread(t.test[k]) for k, _ in COLUMNS}}


def comparisons(trials: list[TrialSummary], ours: str = "mtcsn", ref: str = "lif") -> dict:
    """At the reference's most accurate point: how many times less activity our front needs (seed-paired
    test ratios), and at that point's activity how much lower our test sMAPE is."""
    groups = by_model(trials)
    if ours not in groups or ref not in groups:
        return {}
    best = most_accurate(groups[ref])
    out = {"reference": point(best), "at_reference_smape": {}, "at_reference_activity": {}}
    for act in ACTIVITY:
        p = sparsest_at_least_as_accurate(groups[ours], best, act)
        if p is not None:
            out["at_reference_smape"][act] = {
                "point": p.name, "ratio": spread(paired(best, p, act, np.divide)),
                "smape_ours": spread(p.test["smape"]), "smape_ref": spread(best.test["smape"])}
        q = most_accurate_at_most_as_active(groups[ours], best, act)
        if q is not None:
            out["at_reference_activity"][act] = {
                "point": q.name, "smape_gain": spread(paired(best, q, "smape", np.subtract)),
                "activity_ours": spread(q.test[act]), "activity_ref": spread(best.test[act])}
    return out


def fronts(trials: list[TrialSummary]) -> dict:
    return {m: {act: [t.name for t in pareto_front(ts, act)] for act in ACTIVITY} for m, ts in by_model(trials).items()}


def at_fidelity(trials: list[TrialSummary], substeps: int) -> list[TrialSummary]:
    """The MTCSN trials integrated at `substeps` per sample, and every baseline trial (one step a sample)."""
    return [t for t in trials
            if t.model != "mtcsn" or t.overrides.get("layer", {}).get("substeps", 1) == substeps]


def summary(trials: list[TrialSummary], ship_substeps: int | None = None) -> dict:
    """Everything the fronts' report states; with ship_substeps, also the LIF comparison among the MTCSN trials
    run at the fidelity the shipped model trains at (the one-step front's pick fires more there)."""
    out = {"trials": [point(t) for t in trials], "fronts": fronts(trials),
           "vs_lif": comparisons(trials, "mtcsn", "lif"), "vs_adlif": comparisons(trials, "mtcsn", "adlif")}
    if ship_substeps is not None:
        out["vs_lif_at_ship_fidelity"] = comparisons(at_fidelity(trials, ship_substeps), "mtcsn", "lif")
    return out


def markdown(trials: list[TrialSummary], with_fronts: bool = True) -> str:
    """Every trial, most accurate (validation) first per model; `on front`: e events, n nonzero, s synops."""
    on = fronts(trials)
    head = ("| model | trial | seeds | val sMAPE | test sMAPE | test NRMSE | spikes/neuron/step | nonzero/neuron/step "
            "| eff. ACs/step | eff. MACs/step | synop energy pJ/step |" + (" on front |" if with_fronts else ""))
    lines = [head, "|" + "---|" * (12 if with_fronts else 11)]
    for t in sorted(trials, key=lambda t: (MODELS.index(t.model), t.mean("val", "smape"))):
        cells = [fmt(spread(t.test[k]), d) for k, d in COLUMNS]
        row = (f"| {LABEL[t.model]} | {t.name} | {len(t.seeds)} | {fmt(spread(t.val['smape']), 2)} | "
               + " | ".join(cells))
        if with_fronts:
            row += " | " + ("".join(SHORT[a] for a in ACTIVITY if t.name in on[t.model][a]) or "–")
        lines.append(row + " |")
    return "\n".join(lines)


def claim_text(cmp: dict, ref_label: str, among: str = "") -> str:
    if not cmp or not cmp["at_reference_smape"]:
        return ""
    r = cmp["reference"]
    lines = [f"At {ref_label}'s most accurate point on validation (`{r['trial']}`, test sMAPE "
             f"{fmt(r['test']['smape'], 2)}), the sparsest MTCSN point{among} at least as accurate on validation:"]
    for act, c in cmp["at_reference_smape"].items():
        lines.append(f"* {ACTIVITY[act]}: `{c['point']}` (test sMAPE {fmt(c['smape_ours'], 2)}); "
                     f"{ref_label} ÷ MTCSN = {fmt(c['ratio'], 2)} (seed-paired)")
    lines.append(f"\nAt no more activity than {ref_label}'s most accurate point, the most accurate MTCSN point "
                 f"(test sMAPE of {ref_label} minus MTCSN, seed-paired; > 0: MTCSN more accurate):")
    for act, c in cmp["at_reference_activity"].items():
        d = 0 if act == "synops_energy_pj" else 4
        lines.append(f"* {ACTIVITY[act]} ({fmt(c['activity_ours'], d)} vs {fmt(c['activity_ref'], d)}): "
                     f"`{c['point']}`, {fmt(c['smape_gain'], 2)}")
    return "\n".join(lines)


# NeuroBench leaderboard, autoregressive Mackey-Glass: means over its 30 repeats, entered 2024-01-17, when its LSTM
# script scored the train part (NeuroBench issue 262); its LSTM recipe on our test parts: bench/ar_lstm_reference.py
LEADERBOARD = {"LSTM": 13.37, "ESN": 14.79}


def repeats_markdown(trials: list[TrialSummary]) -> str:
    """NeuroBench's protocol: per trial, the test sMAPE over its repeats (each a fresh training on the series
    shifted by half a Lyapunov time more), against the leaderboard's means."""
    lstm = LEADERBOARD["LSTM"]
    lines = [f"| model | trial | repeats | val sMAPE | test sMAPE | median | range | below {lstm} "
             "| spikes/neuron/step |", "|---|---|---|---|---|---|---|---|---|"]
    for t in sorted(trials, key=lambda t: (MODELS.index(t.model), t.mean("val", "smape"))):
        v = t.test["smape"]
        lines.append(f"| {LABEL[t.model]} | {t.name} | {len(v)} | {fmt(spread(t.val['smape']), 2)} | "
                     f"{fmt(spread(v), 2)} | {np.median(v):.2f} | {v.min():.2f}–{v.max():.2f} | "
                     f"{int((v < lstm).sum())} of {len(v)} | {fmt(spread(t.test['spike_rate']), 4)} |")
    refs = ", ".join(f"{k} {v}" for k, v in LEADERBOARD.items())
    return "\n".join(lines) + f"\n\nLeaderboard (mean over 30 repeats): {refs}."
