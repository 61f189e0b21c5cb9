"""The end-to-end demo on the shipped material, as one call: regimes, I-V curves, the shipped model's
metrics, a preset and the shipped model against their circuits; figures, netlists and summary.json in `out`."""
from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from mtcsn_hw.atomic import check_writable, write_json
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
    write_json(out / "summary.json", summary)
    say(f"done: {out}/summary.json")
    return summary


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
