"""Other trained checkpoints priced beside the report's subject: their recorded test activity (metrics.json,
the whole test part) converted with published energy per operation. LIF and AdLIF have no circuit here."""
from __future__ import annotations

from mtcsn_hw.checkpoint.reader import read_checkpoint
from mtcsn_hw.errors import CheckpointError
from mtcsn_hw.report.energy import published_conversion

KEYS = ("spike_rate", "nonzero_fraction", "synops_dense", "synops_effective", "synops_effective_acs",
        "synops_effective_macs")


def baseline_rows(paths) -> list[dict]:
    rows = []
    for path in paths or []:
        ck = read_checkpoint(path)
        missing = [k for k in (*KEYS, "smape") if not isinstance(ck.metrics.get(k), (int, float))]
        n = ck.config.get("n_hidden")
        if missing or not isinstance(n, int):
            raise CheckpointError(f"{path}/metrics.json lacks {', '.join(missing) or 'n_hidden in config.json'}")
        act = {k: float(ck.metrics[k]) for k in KEYS}
        act.update({"neurons": n, "spike_events_per_step": act["spike_rate"] * n})
        rows.append({"source": str(path), "model": ck.model, "smape": float(ck.metrics["smape"]), "activity": act,
                     "conversion": published_conversion(act)})
    return rows
