"""The end-to-end demo on the shipped material, as one call: regimes, I-V curves, the shipped model's
metrics, a preset and the shipped model against their circuits, then the loop the tool exists for on one
mismatched chip: calibration, chip-specific retraining and the validation report; figures, netlists,
the chip's calibration folder, the retrained checkpoint, the report and summary.json in `out`."""
from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from mtcsn_hw.atomic import check_writable, write_json
from mtcsn_hw.errors import SimulationError
from mtcsn_hw.model.params import NeuronParams
from mtcsn_hw.report.model_iv import run_iv
from mtcsn_hw.report.model_regimes import run_regimes
from mtcsn_hw.training.evaluate import evaluate_checkpoint


def run_demo(out="out/demo", model_path="models/mg-mtcsn", say: Callable[[str], None] = print) -> dict:
    """Run every stage, reporting progress through `say`; returns the summary written to out/summary.json."""
    out = Path(out)
    check_writable(out / "summary.json")  # an unwritable --out fails before any work
    summary = {"out": str(out)}
    summary["regimes"] = _regimes(out, say)
    summary["iv"] = _iv_curves(out, list(summary["regimes"]), say)
    summary["model"] = _model_metrics(model_path, say)
    summary["preset_vs_circuit"] = _preset_vs_circuit(out, say)
    summary["network_vs_circuit"] = _network_vs_circuit(out, model_path, say)
    summary["chip"] = _mismatched_chip(out, model_path, say)
    summary["retrained"] = _retrain_for_chip(out, model_path, say)
    summary["report"] = _report(out, say)
    write_json(out / "summary.json", summary)
    say(f"done: {out}/summary.json")
    say(f"report: {summary['report']['path']}")
    for line in summary["report"]["headline"]:
        say(f"    {line}")
    return summary


CHIP_SEED = 0


def _mismatched_chip(out: Path, model_path, say) -> dict:
    from mtcsn_hw.calibration.calibrate_run import calibration_summary, run_chips

    say(f"[6] one mismatched chip (sky130 Pelgrom spec, seed {CHIP_SEED}, behavioural): measure, fit the twin, "
        "re-tune the biases")
    report = run_chips(out / "chip-calibration", source=str(model_path), level="behavioral",
                       mismatch_seed=CHIP_SEED, chips=1, workers=1, progress=False)
    if report.failed:
        raise SimulationError(f"calibrating chip {CHIP_SEED} failed: {next(iter(report.failed.values()))}")
    cal = calibration_summary(report)
    b, a = cal["before"], cal["after"]
    say(f"    I-V error {100 * b['iv_rmse']:.1f} % -> {100 * a['iv_rmse']:.2f} % of full scale, Gamma "
        f"{b['gamma']:.2f} -> {a['gamma']:.2f}, {cal['iterations']:.0f} iterations; folder "
        f"{out / 'chip-calibration'}")
    return {"folder": str(out / "chip-calibration"), "before": b, "after": a, "iterations": cal["iterations"]}


def _retrain_for_chip(out: Path, model_path, say) -> dict:
    from mtcsn_hw.retraining.chip_retrain import retrain_for_chip

    say("[7] chip-specific retraining: the chip's twins frozen, input weights, biases and readout retrained, "
        "re-simulated on the same chip")
    ladder = retrain_for_chip(model_path, out / "chip-calibration", out / "mg-mtcsn-chip", progress=False)
    say("    sMAPE " + ", ".join(f"{rung} {value:.2f}" for rung, value in ladder["smape"].items()))
    return {"checkpoint": str(out / "mg-mtcsn-chip"), "smape": ladder["smape"]}


def _report(out: Path, say) -> dict:
    from mtcsn_hw.report.build import build_report

    say("[8] validation report of the retrained network on its chip (behavioural level; energy at sky130)")
    data = build_report(str(out / "mg-mtcsn-chip"), out=out / "report", level="behavioral",
                        calibration=out / "chip-calibration")
    headline = [f"{c['status']:4s}  {c['name']}: " + ("n/a" if c["measured"] is None else f"{c['measured']:.4g}")
                for c in data["checks"][:3]]
    return {"path": str(out / "report" / "report.html"), "headline": headline}


def _regimes(out: Path, say) -> dict:
    say("[1] firing regimes of the presets (model)")
    presets = run_regimes(plot=out / "regimes.png")["presets"]
    summary = {}
    for name, r in presets.items():
        summary[name] = {"class": r["class"], "n_spikes": len(r["spike_times"])}
        say(f"    {name:9s} -> {r['class']:9s} ({len(r['spike_times'])} spikes)")
    say(f"    figure: {out / 'regimes.png'}")
    return summary


def _iv_curves(out: Path, names: list[str], say) -> dict:
    say("[2] I-V curves per timescale")
    summary = {}
    for name in names:
        res = run_iv(NeuronParams.preset(name), f"preset:{name}", plot=out / f"iv-{name}.png")
        summary[name] = {k: c["shape"] for k, c in res["curves"].items()}
        say(f"    {name:9s} " + ", ".join(f"{k} {s}" for k, s in summary[name].items()))
    return summary


def _model_metrics(model_path, say) -> dict:
    say(f"[3] shipped model {model_path}: test metrics")
    m = evaluate_checkpoint(model_path)
    say(f"    sMAPE {m['smape']:.2f}, NRMSE {m['nrmse']:.3f}, {m['spike_rate']:.4f} spikes/neuron/step, "
        f"{100 * m['nonzero_fraction']:.0f} % nonzero outputs")
    return {**m, "checkpoint": str(model_path)}


def _preset_vs_circuit(out: Path, say) -> dict:
    from mtcsn_hw.report.preset_vs_circuit import compare_preset

    say("[4] bursting preset: model vs behavioural and sky130 transistor circuits (ngspice)")
    cmp = compare_preset("bursting", out)
    for level in ("behavioral", "transistor"):
        c = cmp[level]
        say(f"    {level:10s} regime {c['regime']}, {c['n_spikes']} spikes (model {cmp['model']['n_spikes']}), "
            f"Gamma {c['gamma']:.2f}, fast I-V {100 * c['iv_rmse']['fast']:.1f} % off")
    say(f"    figures: {out / 'circuit_bursting_traces.png'}, {out / 'circuit_bursting_iv.png'}")
    return cmp


def _network_vs_circuit(out: Path, model_path, say) -> dict:
    from mtcsn_hw.circuit.build import units_for
    from mtcsn_hw.circuit.export import checkpoint_dir_spec, export
    from mtcsn_hw.report.network_vs_circuit import compare_network, plot_network_comparison

    say(f"[5] {model_path} as a circuit: netlist, ngspice, readout against the model")
    for level in ("behavioral", "transistor"):
        export(checkpoint_dir_spec(Path(model_path)), units_for(level), out / f"mg-mtcsn_{level}.cir")
    net = compare_network(model_path, "behavioral")
    plot_network_comparison(net, out / "mg-mtcsn_circuit.png")
    say(f"    netlists: {out / 'mg-mtcsn_behavioral.cir'}, {out / 'mg-mtcsn_transistor.cir'} "
        "(run with ngspice -b)")
    say(f"    behavioural circuit: sMAPE {net['smape_circuit']:.2f} (model on the same segment "
        f"{net['smape_model']:.2f}), {net['spike_rate_circuit']:.4f} vs {net['spike_rate_model']:.4f} "
        f"spikes/neuron/step, per-neuron count correlation {net['spike_count_correlation']:.2f}")
    say(f"    figure: {out / 'mg-mtcsn_circuit.png'}")
    return {k: v for k, v in net.items() if k not in ("series", "rasters")}
