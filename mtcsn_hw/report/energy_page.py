"""Energy and sparsity section of the report page, beside published figures."""
from __future__ import annotations

from mtcsn_hw.report.html_page import Page


def energy_section(pg: Page, figs: dict) -> None:
    d = pg.data
    pg.h2("Energy and sparsity", "energy")
    if d.get("energy") is None:
        pg.missing("Energy from the circuit: not measured (no transistor-level circuit for this model, or the report "
                   "was run with --skip-energy).")
    else:
        _measured(pg, figs)
    _activity(pg)
    _published(pg)


def _measured(pg: Page, figs: dict) -> None:
    d = pg.data
    m, e = "energy.measured", "energy.estimate"
    pg.p(f"Measured on the transistor-level circuit (sky130) from the current the supply source delivers, over "
         f"{pg.num(f'{m}.duration_s', 'si:s')} after start-up, at Vdd = {pg.num(f'{m}.vdd', 'si:V')}. Static = the "
         "median supply current (the level between spikes); dynamic = what the supply delivers above it, shared "
         "among the spikes. The independent estimate is the mapped bias currents times each cell's supply branches: "
         f"each five-transistor OTA draws its bias {pg.num(f'{e}.ota_factor', '.3g')} times (the diode that sets the "
         f"tail, and the tail), each widened follower-integrator {pg.num(f'{e}.filter_factor', '.3g')} times its "
         "filter current.")
    rows = [["static supply current", pg.num(f"{m}.static_current_a", "si:A"), pg.num(f"{e}.supply_a", "si:A")],
            ["static / estimate", pg.num("energy.versus_estimate.static_over_estimate", ".3f"), ""],
            ["static power", pg.num(f"{m}.static_power_w", "si:W"), pg.num(f"{e}.power_w", "si:W")],
            ["static power per neuron", pg.num(f"{m}.static_power_per_neuron_w", "si:W"), ""],
            ["element OTA bias currents (sum)", "", pg.num(f"{e}.ota_bias_sum_a", "si:A")],
            ["follower-integrator supply", "", pg.num(f"{e}.filter_supply_a", "si:A")],
            ["average supply current", pg.num(f"{m}.mean_current_a", "si:A"), ""],
            ["average power", pg.num(f"{m}.average_power_w", "si:W"), ""],
            ["static share of the energy", pg.num(f"{m}.static_fraction", "pct:1"), ""],
            ["spikes in the window", pg.num(f"{m}.spikes", "d"), ""],
            ["energy per spike (all of it)", pg.num(f"{m}.energy_per_spike_j", "si:J"), ""],
            ["dynamic energy per spike", pg.num(f"{m}.dynamic_energy_per_spike_j", "si:J"), ""]]
    if d["kind"] == "forecaster":
        rows.append(["energy per forecast (one output sample)", pg.num(f"{m}.energy_per_forecast_j", "si:J"), ""])
        syn = "energy.synaptic_event"
        rows.append(["energy per synaptic event (input synapses as supply-fed current sources; estimate)", "",
                     pg.num(f"{syn}.energy_per_event_j", "si:J")])
    pg.table(["quantity", "measured (circuit)", "estimate (mapping)"], rows)
    dyn = d["energy"]["measured"]["dynamic_energy_per_spike_j"]
    if dyn is not None and dyn <= 0:
        pg.p("The dynamic energy per spike is not resolved here: with many neurons spiking at different times the "
             "median supply current already contains the spikes' share, so what is left above it is noise around "
             "zero. All of the energy is, to this resolution, static.", "label")
    pg.p(f"Static energy dominates: {pg.num(f'{m}.static_fraction', 'pct:1')} of the supply energy is the bias "
         "current the OTAs draw whether the neuron spikes or not. Spike sparsity therefore saves event traffic (fewer "
         "events to route and fewer synaptic operations downstream), not neuron energy, unless the biases are gated. "
         "The leak resistor, the applied-current and input sources and the behavioural readout are ideal elements "
         "outside the supply and are not counted.", "label")
    if "supply.png" in figs:
        alt, png = figs["supply.png"]
        pg.img(png, alt, "supply.png")


def _activity(pg: Page) -> None:
    d = pg.data
    a = d.get("activity")
    if not a:
        return
    pg.p("Model activity over the same samples (NeuroBench definitions, per time step):")
    pg.table(["spike events", "spikes per neuron", "nonzero outputs", "effective synaptic ops", "of which ACs",
              "of which MACs", "dense synaptic ops"],
             [[pg.num("activity.spike_events_per_step", ".4g"), pg.num("activity.spike_rate", ".4f"),
               pg.num("activity.nonzero_fraction", "pct:1"), pg.num("activity.synops_effective", ".4g"),
               pg.num("activity.synops_effective_acs", ".4g"), pg.num("activity.synops_effective_macs", ".4g"),
               pg.num("activity.synops_dense", ".4g")]])
    pg.p("ESTIMATE, not a measurement: the operation counts above priced with published energy per operation. "
         "Arithmetic only: accumulates and multiply-accumulates at the float figures of a forty-five nanometre "
         "process (Horowitz), the floor of a digital implementation. Loihi: every effective synaptic operation at "
         "Loihi's measured synaptic-op energy plus its neuron-update and spike energies (Davies et al.), what a "
         "measured digital neuromorphic chip spends. This is how LIF and AdLIF, which have no circuit here, are "
         "compared.", "label")
    rows = [[pg.s("model"), pg.s("source"), pg.num("activity.spike_events_per_step", ".4g"),
             pg.num("activity.synops_effective_acs", ".4g"), pg.num("activity.synops_effective_macs", ".4g"),
             pg.num("conversion.arithmetic_45nm_j_per_step", "si:J"), pg.num("conversion.loihi_j_per_step", "si:J")]]
    for i, _ in enumerate(d["baselines"]):
        b = f"baselines.{i}"
        rows.append([pg.s(f"{b}.model"), pg.s(f"{b}.source"), pg.num(f"{b}.activity.spike_events_per_step", ".4g"),
                     pg.num(f"{b}.activity.synops_effective_acs", ".4g"),
                     pg.num(f"{b}.activity.synops_effective_macs", ".4g"),
                     pg.num(f"{b}.conversion.arithmetic_45nm_j_per_step", "si:J"),
                     pg.num(f"{b}.conversion.loihi_j_per_step", "si:J")])
    pg.table(["model", "checkpoint", "spike events per step", "ACs per step", "MACs per step",
              "ESTIMATE: arithmetic only, per step", "ESTIMATE: Loihi figures, per step"], rows)
    if d["baselines"]:
        pg.p("The other checkpoints' activity is what their metrics.json recorded over the whole test part; the "
             "first row's is over the samples of this report.")


def _published(pg: Page) -> None:
    d = pg.data
    pg.p("Published figures of digital and mixed-signal neuromorphic hardware:")
    rows = []
    for i, r in enumerate(d["published"]):
        value = pg.num(f"published.{i}.joules", "si:J")
        if "joules_low" in r:
            value += " / " + pg.num(f"published.{i}.joules_low", "si:J")
        rows.append([pg.s(f"published.{i}.system"), pg.s(f"published.{i}.quantity"), value,
                     pg.s(f"published.{i}.source")])
    pg.table(["system", "quantity", "energy", "source"], rows)
    pg.p("A neuron here spends far more per spike than the published analog neuron because its OTAs are biased "
         "continuously at nanoamperes and its time constants are long (the static energy per spike scales with the "
         "membrane capacitance and the interspike interval, not with the bias current).")
