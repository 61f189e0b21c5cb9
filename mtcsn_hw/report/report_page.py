"""The report page: sections in sign-off order, every number a report.json field (html_page.Page.num)."""
from __future__ import annotations

from mtcsn_hw.report.html_page import Page, status_cell

UNIT_FMT = {"F": "si:F", "Ohm": "si:Ω", "V": "si:V", "A": "si:A"}


def headline(pg: Page) -> None:
    d = pg.data
    pg.add(f"<h1>{pg.s('title')}</h1>")
    pg.p(f"Overall: <span class=\"{pg.s('overall')}\">&nbsp;{pg.s('overall')}&nbsp;</span> "
         f"(exit status of <code>mtcsn-hw report</code> {pg.num('exit_code', 'd')}). Level {pg.s('level')}, "
         f"source <code>{pg.s('source')}</code>, {pg.s('provenance.date')}.")
    for i, c in enumerate(d["checks"]):
        limits = []
        if c["min"] is not None:
            limits.append(f"min {pg.num(f'checks.{i}.min', c['fmt'])}")
        if c["max"] is not None:
            limits.append(f"max {pg.num(f'checks.{i}.max', c['fmt'])}")
        pg.p(f"<span class=\"{c['status'] if c['status'] != 'n/a' else 'na'}\">&nbsp;{pg.s(f'checks.{i}.status')}"
             f"&nbsp;</span> {pg.s(f'checks.{i}.name')}: measured {pg.num(f'checks.{i}.measured', c['fmt'])} "
             f"({', '.join(limits)}) {pg.s(f'checks.{i}.note')}", "headline")
    rows = [[pg.s(f"checks.{i}.name"), pg.num(f"checks.{i}.min", c["fmt"]), pg.num(f"checks.{i}.typ", c["fmt"]),
             pg.num(f"checks.{i}.max", c["fmt"]), pg.num(f"checks.{i}.measured", c["fmt"]), pg.s(f"checks.{i}.unit"),
             status_cell(c["status"])] for i, c in enumerate(d["checks"])]
    pg.h2("Summary (CACE style)", "summary")
    pg.table(["Parameter", "min", "typ", "max", "measured", "unit", "Pass/Fail"], rows)
    t = "thresholds"
    pg.p(f"Thresholds: circuit sMAPE at most {pg.num(f'{t}.smape_relative', 'pct:0')} above the model's; I-V RMSE at "
         f"most {pg.num(f'{t}.iv_rmse', 'pct:0')} of the model curve's full scale per timescale; median Gamma at least "
         f"{pg.num(f'{t}.gamma', '.1f')} on driven spike trains; an autonomous neuron's rhythm (burst period or "
         f"median ISI) within {pg.num(f'{t}.rhythm_relative', 'pct:0')}; static supply within "
         f"{pg.num(f'{t}.energy_relative', 'pct:0')} of the bias-current estimate. A check without a measurement is "
         "n/a and does not fail the report.")


def mapping(pg: Page) -> None:
    d = pg.data
    pg.h2("Mapping: model parameters to circuit", "mapping")
    if not d["mapping"]:
        pg.missing("This model has no conductance form (LIF and AdLIF do not map to the OTA circuit).")
        return
    u = "units"
    pg.p(f"Units: V0 = {pg.num(f'{u}.v0', 'si:V')}, I0 = {pg.num(f'{u}.i0', 'si:A')}, "
         f"C_m = {pg.num(f'{u}.c_m', 'si:F')}, "
         f"tau0 = {pg.num(f'{u}.tau0', 'si:s')}, V_rest = {pg.num(f'{u}.v_rest', 'si:V')}, Vdd = "
         f"{pg.num(f'{u}.vdd', 'si:V')}, kappa = {pg.num(f'{u}.kappa', '.3f')}, {pg.s(f'{u}.corner')} corner, "
         f"{pg.num(f'{u}.temp_c', '.4g')} °C.")
    rows = []
    for i, r in enumerate(d["mapping"]):
        rows.append([pg.num(f"mapping.{i}.neuron", "d"), pg.s(f"mapping.{i}.parameter"),
                     pg.num(f"mapping.{i}.model", ".4g"), pg.s(f"mapping.{i}.quantity"),
                     pg.num(f"mapping.{i}.value", UNIT_FMT.get(r["unit"], ".4g")), pg.s(f"mapping.{i}.cell")])
    first = [r for r, m in zip(rows, d["mapping"], strict=True) if m["neuron"] == 0]
    headers = ["neuron", "parameter", "model value", "physical quantity", "physical value", "cell / instance"]
    pg.table(headers, first)
    if len(first) < len(rows):
        pg.add("<details><summary>every neuron</summary>")
        pg.table(headers, rows)
        pg.add("</details>")


def iv_section(pg: Page, figs: dict) -> None:
    d = pg.data
    pg.h2("I-V curves, model against circuit (nominal)", "iv")
    if d.get("iv") is None:
        pg.missing("No circuit: no I-V curves.")
        return
    if "rmse_per_neuron" in d["iv"]:
        rows = [[pg.num(f"iv.neurons.{j}", "d")] + [pg.num(f"iv.rmse_per_neuron.{j}.{k}", "pct:2")
                                                   for k in ("fast", "slow", "ultraslow")]
                for j in range(len(d["iv"]["neurons"]))]
    else:
        rows = [["the neuron"] + [pg.num(f"iv.rmse.{k}", "pct:2") for k in ("fast", "slow", "ultraslow")]]
    pg.table(["neuron", "fast RMSE / full scale", "slow", "ultra-slow"], rows)
    _img(pg, figs, "iv.png")


def traces(pg: Page, figs: dict) -> None:
    pg.h2("Voltage traces and spike rasters, model against circuit", "traces")
    if "traces.png" not in figs:
        pg.missing("No circuit: no traces.")
        return
    _img(pg, figs, "traces.png")
    _img(pg, figs, "raster.png")


def spike_table(pg: Page) -> None:
    d = pg.data
    pg.h2("Spike agreement", "spikes")
    if d.get("spikes") is None:
        pg.missing("No circuit: no spike agreement.")
        return
    s = "spikes"
    pg.p(f"Window from {pg.num(f'{s}.window.0', '.6g')} to {pg.num(f'{s}.window.1', '.6g')} tau0. Gamma (Kistler "
         f"coincidence factor) with a window of {pg.num(f'{s}.gamma_window', '.3g')} tau0 (five per cent of the "
         f"model's median ISI, in a network at least two samples); van Rossum distance with tau "
         f"{pg.num(f'{s}.van_rossum_tau', '.3g')} tau0; "
         f"Victor-Purpura distance with cost {pg.num(f'{s}.victor_purpura_cost', '.3g')} per tau0.")
    if d["kind"] == "neuron":
        _neuron_spike_rows(pg)
        if d["spikes"]["protocol"]["autonomous"]:
            pg.p("This neuron runs autonomously (constant drive): its phase drifts with any period error, so Gamma "
                 "says little here and the rhythm rows are the comparison that matters.", "label")
    else:
        pg.p(f"Medians over the {pg.num(f'{s}.active_neurons', 'd')} neurons that spike in the model (of "
             f"{pg.num(f'{s}.neurons', 'd')}); the input drives the phase, so Gamma is meaningful. The model steps "
             f"once per sample and puts its spikes on that grid, so the Gamma window is at least "
             f"{pg.num(f'{s}.min_gamma_window', '.3g')} tau0 (two samples).")
        rows = [["Gamma", pg.num(f"{s}.gamma", ".3f"), ""], ["van Rossum", pg.num(f"{s}.van_rossum", ".3g"), ""],
                ["Victor-Purpura", pg.num(f"{s}.victor_purpura", ".3g"), ""],
                ["total spikes", pg.num(f"{s}.model.total_spikes", "d"), pg.num(f"{s}.circuit.total_spikes", "d")],
                ["rate (per tau0)", pg.num(f"{s}.model.rate", ".4g"), pg.num(f"{s}.circuit.rate", ".4g")],
                ["median ISI (tau0)", pg.num(f"{s}.model.median_isi", ".4g"), pg.num(f"{s}.circuit.median_isi", ".4g")],
                ["CV of ISI", pg.num(f"{s}.model.cv_isi", ".3f"), pg.num(f"{s}.circuit.cv_isi", ".3f")]]
        pg.table(["measure", "model (or distance)", "circuit"], rows)


def _neuron_spike_rows(pg: Page) -> None:
    s = "spikes"
    rows = [["regime", pg.s(f"{s}.model.regime"), pg.s(f"{s}.circuit.regime")],
            ["Gamma", pg.num(f"{s}.gamma", ".3f"), ""], ["van Rossum", pg.num(f"{s}.van_rossum", ".3g"), ""],
            ["Victor-Purpura", pg.num(f"{s}.victor_purpura", ".3g"), ""]]
    for label, key, fmt in (("spikes", "n_spikes", "d"), ("rate (per tau0)", "rate", ".4g"),
                            ("median ISI (tau0)", "median_isi", ".4g"), ("mean ISI (tau0)", "mean_isi", ".4g"),
                            ("CV of ISI", "cv_isi", ".3f"), ("spikes per burst", "spikes_per_burst", ".3g"),
                            ("intra-burst ISI (tau0)", "intra_burst_isi", ".4g"),
                            ("burst period (tau0)", "burst_period", ".4g")):
        rows.append([label, pg.num(f"{s}.model.{key}", fmt), pg.num(f"{s}.circuit.{key}", fmt)])
    pg.table(["measure", "model (or distance)", "circuit"], rows)


def forecasts(pg: Page, figs: dict) -> None:
    d = pg.data
    if d["kind"] != "forecaster":
        return
    pg.h2("Mackey-Glass forecasts", "forecasts")
    w = "window"
    pg.p(f"Test samples {pg.num(f'{w}.washout', 'd')} to {pg.num(f'{w}.steps', 'd')} (the first "
         f"{pg.num(f'{w}.washout', 'd')} are start-up from rest), horizon {pg.num(f'{w}.horizon', 'd')} samples. "
         f"Model sMAPE {pg.num('smape_model', '.2f')}, circuit sMAPE {pg.num('smape_circuit', '.2f')}. "
         "The arrays are in <code>forecasts.npz</code> (y_true, y_model"
         + (", y_circuit" if d["circuit_forecast"] is not None else "; no circuit for this model")
         + ", on the same samples) to recompute them.")
    if d["circuit_forecast"] is not None:
        c = "circuit_forecast"
        pg.table(["", "model", "circuit"],
                 [["sMAPE", pg.num(f"{c}.smape_model", ".2f"), pg.num(f"{c}.smape_circuit", ".2f")],
                  ["NRMSE", pg.num(f"{c}.nrmse_model", ".3f"), pg.num(f"{c}.nrmse_circuit", ".3f")],
                  ["sMAPE of circuit against model", "", pg.num(f"{c}.smape_circuit_vs_model", ".2f")]])
    _img(pg, figs, "forecast.png")


def _img(pg: Page, figs: dict, name: str) -> None:
    if name in figs:
        alt, png = figs[name]
        pg.img(png, alt, name)


def _fmt_or_na(pg: Page, key: str, fmt: str) -> str:
    return pg.num(key, fmt)
