"""Train K networks per NeuroBench repeat and keep the one with the lowest validation sMAPE: does the
held-out tail of each repeat's own train part pick away the trainings that failed?

    PYTHONPATH=. python bench/ar_best_of.py "mtcsn ar closed 225 noise 0.2 it2000" --repeats 0 10 --candidates 2

Candidate 0 of repeat r is NeuroBench's repeat r as bench/fronts.py --autoregressive --repeats trains it
(seed r, runs/fronts/autoregressive_repeats.json). Candidate k >= 1 is the same trial with seed r + 1000 k
on the same series (shifted by repeat_offset(r)); those are trained here if missing (resumable; run disjoint
--repeats ranges in two processes for two cores) and recorded in runs/fronts/autoregressive_candidates.json.
The pick never looks at the test part. Prints, per repeat, each candidate's validation and test sMAPE and
the pick, then the picks' mean test sMAPE against candidate 0's (one training per repeat). --doc writes the
per-repeat table into docs/mackey-glass.md between its ar-best-of markers.
"""
from __future__ import annotations

import argparse
import time
from pathlib import Path

import numpy as np
from fronts import into_doc

from mtcsn_hw.atomic import write_json
from mtcsn_hw.training.fronts import AR_TRIALS, load_records, repeat_offset, run_trial
from mtcsn_hw.training.fronts_report import LEADERBOARD, fmt, spread

ROOT = Path(__file__).resolve().parents[1] / "runs" / "fronts"
REPEATS, CANDIDATES = ROOT / "autoregressive_repeats.json", ROOT / "autoregressive_candidates.json"
SEED_STRIDE = 1000
COLUMNS = 10   # repeats per block of the markdown table


def candidates(trial: str, r: int, k: int) -> list[dict | None]:
    """The records of repeat r's candidates 0..k-1 (None where not trained yet)."""
    first = [x for x in load_records(REPEATS) if x["trial"] == trial and x["seed"] == r]
    others = {x["seed"]: x for x in load_records(CANDIDATES) if x["trial"] == trial}
    return [first[0] if first else None] + [others.get(r + SEED_STRIDE * i) for i in range(1, k)]


def table(rows: list[tuple[int, list[dict], dict]]) -> str:
    """Markdown: per block of COLUMNS repeats, each candidate's validation / test sMAPE and the kept test sMAPE."""
    blocks = []
    for i in range(0, len(rows), COLUMNS):
        block = rows[i:i + COLUMNS]
        lines = ["| repeat | " + " | ".join(str(r) for r, _, _ in block) + " |", "|---" * (len(block) + 1) + "|"]
        for k in range(len(block[0][1])):
            lines.append(f"| candidate {k}: validation / test | " + " | ".join(
                f"{recs[k]['val']['smape']:.2f} / {recs[k]['test']['smape']:.2f}" for _, recs, _ in block) + " |")
        lines.append("| kept (lower validation) | " + " | ".join(f"{best['test']['smape']:.2f}" for _, _, best in block)
                     + " |")
        blocks.append("\n".join(lines))
    return "\n\n".join(blocks)


def main() -> None:
    import torch

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("trial", choices=[t.name for t in AR_TRIALS], metavar="TRIAL")
    ap.add_argument("--repeats", type=int, nargs=2, default=[0, 30], metavar=("FIRST", "END"))
    ap.add_argument("--candidates", type=int, default=2, help="networks per repeat (K)")
    ap.add_argument("--report-only", action="store_true", help="do not train; report what is recorded")
    ap.add_argument("--doc", action="store_true", help="write the per-repeat table into docs/mackey-glass.md")
    args = ap.parse_args()
    torch.set_num_threads(1)
    trial = next(t for t in AR_TRIALS if t.name == args.trial)
    repeats = range(*args.repeats)
    if not args.report_only:
        for r in repeats:
            for i, rec in enumerate(candidates(trial.name, r, args.candidates)[1:], start=1):
                if rec is None:
                    t0 = time.perf_counter()
                    new = {**run_trial(trial, r + SEED_STRIDE * i, start_offset=repeat_offset(r)), "repeat": r}
                    write_json(CANDIDATES, load_records(CANDIDATES) + [new])
                    print(f"repeat {r} candidate {i}: val {new['val']['smape']:.2f}, test {new['test']['smape']:.2f} "
                          f"({time.perf_counter() - t0:.0f} s)", flush=True)
    first, picked, rows = [], [], []
    for r in repeats:
        recs = candidates(trial.name, r, args.candidates)
        if any(x is None for x in recs):
            continue
        best = min(recs, key=lambda x: x["val"]["smape"])
        first.append(recs[0]["test"]["smape"])
        picked.append(best["test"]["smape"])
        rows.append((r, recs, best))
        print(f"repeat {r}: " + ", ".join(f"val {x['val']['smape']:.2f} test {x['test']['smape']:.2f}" for x in recs)
              + f" -> {best['test']['smape']:.2f}")
    if picked:
        p = np.array(picked)
        print(f"{len(p)} repeats: one training {fmt(spread(first), 2)}; best of {args.candidates} on validation "
              f"{fmt(spread(p), 2)} ({int((p < LEADERBOARD['LSTM']).sum())} of {len(p)} below {LEADERBOARD['LSTM']})")
    if args.doc and rows:
        into_doc(table(rows), "best-of")


if __name__ == "__main__":
    main()
