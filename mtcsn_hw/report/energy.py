"""Energy from the transistor-level circuit's supply current, and published figures to set it against.

Static power is the supply current at rest: the median of i_dd over the measured window (the level
the supply sits at between spikes), times Vdd. It is checked against an independent estimate, the
mapped bias currents times each cell's supply factor times Vdd (circuit_runs.supply_estimate).
Dynamic energy is what the supply delivers above that level, shared among the spikes in the window.
"""
from __future__ import annotations

import numpy as np

RESAMPLE_POINTS = 20000

# Published figures, only ones whose source states them directly.
PUBLISHED = [
    {"system": "Intel Loihi, digital, 14 nm", "quantity": "energy per synaptic spike operation (minimum)",
     "joules": 23.6e-12, "source": "Davies et al., Loihi, IEEE Micro 38(1), 2018, Table 2"},
    {"system": "Intel Loihi, digital, 14 nm", "quantity": "energy per neuron update, active / inactive",
     "joules": 81e-12, "joules_low": 52e-12, "source": "Davies et al., Loihi, IEEE Micro 38(1), 2018, Table 2"},
    {"system": "Intel Loihi, digital, 14 nm", "quantity": "within-tile spike energy",
     "joules": 1.7e-12, "source": "Davies et al., Loihi, IEEE Micro 38(1), 2018, Table 2"},
    {"system": "IBM TrueNorth, digital, 28 nm", "quantity": "energy per synaptic event",
     "joules": 26e-12, "source": "Merolla et al., Science 345(6197), 2014"},
    {"system": "Morris-Lecar neuron, analog, 65 nm", "quantity": "energy per spike",
     "joules": 4e-15, "source": "Sourikopoulos et al., Front. Neurosci. 11:123, 2017"},
    {"system": "CMOS arithmetic, 45 nm", "quantity": "32-bit float add (an accumulate, AC)",
     "joules": 0.9e-12, "source": "Horowitz, Computing's energy problem, ISSCC 2014"},
    {"system": "CMOS arithmetic, 45 nm", "quantity": "32-bit float multiply-accumulate (MAC: 3.7 + 0.9 pJ)",
     "joules": 4.6e-12, "source": "Horowitz, Computing's energy problem, ISSCC 2014"},
]
E_AC, E_MAC = 0.9e-12, 4.6e-12
E_LOIHI_SYNOP, E_LOIHI_ACTIVE, E_LOIHI_INACTIVE, E_LOIHI_SPIKE = 23.6e-12, 81e-12, 52e-12, 1.7e-12


def supply_measurement(t_s, t_model, i_dd, vdd: float, t_from: float, n_spikes: int, n_neurons: int) -> dict:
    """Average, static (resting) and dynamic supply figures from model time t_from to the end (integrated
    over the runner's own time axis in seconds, t_s)."""
    t, i = np.asarray(t_s, float), np.asarray(i_dd, float)
    keep = np.asarray(t_model, float) >= t_from
    t, i = t[keep], i[keep]
    duration = float(t[-1] - t[0])
    charge = float(np.trapezoid(i, t))
    grid = np.linspace(t[0], t[-1], RESAMPLE_POINTS)
    i_static = float(np.median(np.interp(grid, t, i)))
    energy = vdd * charge
    dynamic = energy - vdd * i_static * duration
    return {"duration_s": duration, "vdd": float(vdd), "mean_current_a": charge / duration,
            "average_power_w": energy / duration, "static_current_a": i_static, "static_power_w": vdd * i_static,
            "static_power_per_neuron_w": vdd * i_static / n_neurons, "energy_j": energy,
            "static_fraction": vdd * i_static * duration / energy, "spikes": int(n_spikes),
            "energy_per_spike_j": energy / n_spikes if n_spikes else None,
            "dynamic_energy_per_spike_j": dynamic / n_spikes if n_spikes else None}


def versus_estimate(measured: dict, estimate: dict) -> dict:
    return {"estimate_current_a": estimate["supply_a"], "estimate_power_w": estimate["power_w"],
            "static_over_estimate": measured["static_current_a"] / estimate["supply_a"],
            "mean_over_estimate": measured["mean_current_a"] / estimate["supply_a"]}


def synaptic_event_energy(synapse: dict, vdd: float) -> dict:
    """Input synapses are ideal VCCS in today's netlists: the energy current-source synapses on the supply
    would draw (Vdd times the charge they deliver), per effective synaptic event (nonzero input)."""
    energy = float(vdd * synapse["charge_c"])
    events = synapse["events"]
    return {"events": events, "energy_j": energy, "energy_per_event_j": energy / events if events else None}


def published_conversion(act: dict) -> dict:
    """Operation counts per step priced with published per-operation energies (an estimate, not a measurement).

    arithmetic: ACs x 0.9 pJ + MACs x 4.6 pJ (45 nm float, Horowitz 2014): what the arithmetic alone costs.
    loihi: every effective synaptic op x 23.6 pJ, each spiking neuron's update x 81 pJ and the rest x 52 pJ,
    each spike x 1.7 pJ (Davies et al. 2018): what a measured digital neuromorphic chip spends.
    """
    active = act["spike_events_per_step"]
    n = act["neurons"]
    arithmetic = act["synops_effective_acs"] * E_AC + act["synops_effective_macs"] * E_MAC
    loihi = (act["synops_effective"] * E_LOIHI_SYNOP + min(active, n) * E_LOIHI_ACTIVE
             + max(n - active, 0.0) * E_LOIHI_INACTIVE + active * E_LOIHI_SPIKE)
    return {"arithmetic_45nm_j_per_step": float(arithmetic), "loihi_j_per_step": float(loihi)}
