"""Run a network's bench through ngspice and read the transient back in physical and model units."""
from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np

from mtcsn_hw.circuit import ngspice
from mtcsn_hw.circuit.bench import Bench
from mtcsn_hw.circuit.compare import upward_crossings
from mtcsn_hw.circuit.mapping import Units


@dataclass
class Transient:
    t: np.ndarray                # s
    vm: np.ndarray               # (T, N) volts
    filtered: dict               # node name -> volts
    spikes: list                 # per neuron, seconds
    units: Units
    attempt: str

    def model_units(self) -> dict:
        u = self.units
        return {"t": u.to_model_t(self.t), "v": u.to_model_v(self.vm),
                "spikes": [u.to_model_t(s) for s in self.spikes]}


def run_transient(bench: Bench, units: Units, n_neurons: int, threshold: float = 0.0) -> Transient:
    """Simulate a network bench; spikes are upward crossings of V_rest + threshold V0."""
    res = ngspice.run(bench)
    t = res.plot("tran")["time"]
    vm = np.stack([res.v(f"vm_{k}") for k in range(n_neurons)], axis=1)
    filt = {n: v for n, v in res.plot("tran").items() if re.match(r"^v(s|us|x\d+)_\d+$", n)}
    thr = units.volt(threshold)
    spikes = [upward_crossings(t, vm[:, k], thr) for k in range(n_neurons)]
    return Transient(t, vm, filt, spikes, units, res.attempt)


def transient_summary(tr: Transient) -> dict:
    m = tr.model_units()
    return {
        "units": tr.units.as_dict(),
        "t_end_s": float(tr.t[-1]), "t_end_model": float(m["t"][-1]), "points": int(len(tr.t)),
        "attempt": tr.attempt,
        "neurons": [{"node": f"vm_{k}", "spike_times_s": [float(x) for x in tr.spikes[k]],
                     "spike_times_model": [float(x) for x in m["spikes"][k]],
                     "n_spikes": int(len(tr.spikes[k])),
                     "v_min": float(tr.vm[:, k].min()), "v_max": float(tr.vm[:, k].max())}
                    for k in range(tr.vm.shape[1])],
    }
