"""Headline checks, CACE style: each a parameter with min / typ / max limits, a measured value, PASS/FAIL.

A check whose measurement is absent is "n/a" and does not fail the report (the page says why).
"""
from __future__ import annotations

THRESHOLDS = {
    "smape_relative": 0.05,   # circuit sMAPE at most 5 % above the model's
    "iv_rmse": 0.01,          # I-V RMSE at most 1 % of the model curve's full scale, per timescale
    "gamma": 0.8,             # coincidence factor of a driven network, median over neurons
    "rhythm_relative": 0.10,  # period / median ISI of an autonomous neuron within 10 % of the model
    "energy_relative": 0.10,  # measured static supply within 10 % of the bias-current estimate
}


def check(name: str, measured, lo=None, typ=None, hi=None, unit: str = "", note: str = "", fmt: str = ".3f") -> dict:
    if measured is None:
        status = "n/a"
    else:
        ok = (lo is None or measured >= lo) and (hi is None or measured <= hi)
        status = "PASS" if ok else "FAIL"
    return {"name": name, "min": lo, "typ": typ, "max": hi, "measured": measured, "unit": unit, "status": status,
            "note": note, "fmt": fmt}


def iv_checks(iv_rmse: dict | None, what: str) -> list[dict]:
    lim = THRESHOLDS["iv_rmse"]
    return [check(f"I-V RMSE {k} ({what})", None if iv_rmse is None else iv_rmse.get(k), hi=lim, unit="of full scale",
                  fmt="pct:2")
            for k in ("fast", "slow", "ultraslow")]


def energy_check(energy: dict | None) -> dict:
    ratio = None if not energy or "versus_estimate" not in energy else energy["versus_estimate"]["static_over_estimate"]
    r = THRESHOLDS["energy_relative"]
    return check("static supply / bias-current estimate", ratio, 1 - r, 1.0, 1 + r, "ratio",
                 "transistor level" if ratio is not None else "not measured")


def forecaster_checks(r: dict) -> list[dict]:
    c = r.get("circuit_forecast")
    out = []
    if c is not None:
        lim = c["smape_model"] * (1 + THRESHOLDS["smape_relative"])
        out.append(check("circuit sMAPE", c["smape_circuit"], typ=c["smape_model"], hi=lim, unit="sMAPE",
                         fmt=".2f"))
        out.append(check("median Gamma over neurons (driven by the input)", r["spikes"]["gamma"],
                         lo=THRESHOLDS["gamma"], unit="Gamma"))
    out += iv_checks((r.get("iv") or {}).get("rmse_max"), "worst of the neurons swept")
    out.append(energy_check(r.get("energy")))
    return out


def _rhythm(model: dict, circuit: dict, regime: str):
    key = "burst_period" if regime == "bursting" else "median_isi"
    m, c = model.get(key), circuit.get(key)
    return key, (None if (m is None or c is None) else c / m)


def neuron_checks(r: dict) -> list[dict]:
    s = r["spikes"]
    regime = s["model"]["regime"]
    out = [check("regime equals the model's", 1.0 if s["circuit"]["regime"] == regime else 0.0, lo=1.0,
                 unit="1 = same", note=f"model {regime}, circuit {s['circuit']['regime']}")]
    key, ratio = _rhythm(s["model"], s["circuit"], regime)
    rr = THRESHOLDS["rhythm_relative"]
    out.append(check(f"rhythm: circuit / model {key.replace('_', ' ')}", ratio, 1 - rr, 1.0, 1 + rr, "ratio"))
    out += iv_checks((r.get("iv") or {}).get("rmse"), "the neuron")
    out.append(energy_check(r.get("energy")))
    return out


def overall(checks: list[dict]) -> str:
    return "FAIL" if any(c["status"] == "FAIL" for c in checks) else "PASS"
