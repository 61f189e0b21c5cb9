"""`mtcsn-hw demo`: the pipeline on the shipped material, step by step, with figures in --out."""
from __future__ import annotations

import sys
from pathlib import Path

import numpy as np

from mtcsn_hw.cli.iv import iv_report, plot_iv
from mtcsn_hw.cli.regimes import plot_regimes
from mtcsn_hw.model.params import NeuronParams


def register(sub) -> None:
    p = sub.add_parser(
        "demo",
        help="run the whole pipeline on the shipped presets/model and write figures",
        description="End-to-end demo on the shipped material: (1) firing regimes of the presets, (2) their "
                    "I-V curves, (3) the shipped Mackey-Glass model's test metrics, (4) the bursting preset as "
                    "behavioural and sky130 transistor circuits against the model, (5) the shipped model "
                    "exported to a netlist and simulated in ngspice against the model. Figures, netlists and a "
                    "JSON summary go to --out.",
    )
    p.add_argument("--out", default="out/demo", help="output folder (default out/demo)")
    p.add_argument("--model", default="models/mg-mtcsn", help="trained MTCSN checkpoint (default models/mg-mtcsn)")
    p.add_argument("--json", action="store_true", help="print one JSON summary object on stdout")
    p.set_defaults(func=run)


def say(args, text: str) -> None:
    if not args.json:
        sys.stdout.write(text + "\n")
        sys.stdout.flush()


def run(args):
    from mtcsn_hw.atomic import write_json
    from mtcsn_hw.model.regime_runs import run_all

    out = Path(args.out)
    summary = {"out": str(out), "regimes": {}, "iv": {}}
    say(args, "[1] firing regimes of the presets (model)")
    results = run_all()
    plot_regimes(results, out / "regimes.png")
    for name, r in results.items():
        summary["regimes"][name] = {"class": r["class"], "n_spikes": len(r["spike_times"])}
        say(args, f"    {name:9s} -> {r['class']:9s} ({len(r['spike_times'])} spikes)")
    say(args, f"    figure: {out / 'regimes.png'}")

    say(args, "[2] I-V curves per timescale")
    for name in results:
        res = iv_report(NeuronParams.preset(name), f"preset:{name}", np.linspace(-4, 4, 401))
        plot_iv(res, out / f"iv-{name}.png")
        summary["iv"][name] = {k: c["shape"] for k, c in res["curves"].items()}
        say(args, f"    {name:9s} " + ", ".join(f"{k} {s}" for k, s in summary["iv"][name].items()))

    say(args, f"[3] shipped model {args.model}: test metrics")
    from mtcsn_hw.training.checkpoint import load_checkpoint
    from mtcsn_hw.training.evaluate import metrics, predict
    ck = load_checkpoint(args.model)
    m = metrics(predict(ck.model, ck.series, ck.normaliser, ck.config.protocol, ck.config.horizon), ck.model.binary)
    summary["model"] = {"checkpoint": args.model, **m}
    say(args, f"    sMAPE {m['smape']:.2f}, NRMSE {m['nrmse']:.3f}, {m['spike_rate']:.4f} spikes/neuron/step, "
              f"{100 * m['nonzero_fraction']:.0f} % nonzero outputs")

    say(args, "[4] bursting preset: model vs behavioural and sky130 transistor circuits (ngspice)")
    from mtcsn_hw.report.preset_vs_circuit import compare_preset
    cmp = compare_preset("bursting", out)
    summary["preset_vs_circuit"] = cmp
    for level in ("behavioral", "transistor"):
        c = cmp[level]
        say(args, f"    {level:10s} regime {c['regime']}, {c['n_spikes']} spikes (model {cmp['model']['n_spikes']}), "
                  f"Gamma {c['gamma']:.2f}, fast I-V {100 * c['iv_rmse']['fast']:.1f} % off")
    say(args, f"    figures: {out / 'circuit_bursting_traces.png'}, {out / 'circuit_bursting_iv.png'}")

    say(args, f"[5] {args.model} as a circuit: netlist, ngspice, readout against the model")
    from mtcsn_hw.circuit.build import units_for
    from mtcsn_hw.circuit.export import checkpoint_dir_spec, export
    from mtcsn_hw.report.network_vs_circuit import compare_network, plot_network_comparison
    for level in ("behavioral", "transistor"):
        export(checkpoint_dir_spec(args.model), units_for(level), out / f"mg-mtcsn_{level}.cir")
    net = compare_network(args.model, "behavioral")
    plot_network_comparison(net, out / "mg-mtcsn_circuit.png")
    summary["network_vs_circuit"] = {k: v for k, v in net.items() if k not in ("series", "rasters")}
    say(args, f"    netlists: {out / 'mg-mtcsn_behavioral.cir'}, {out / 'mg-mtcsn_transistor.cir'} (run with ngspice -b)")
    say(args, f"    behavioural circuit: sMAPE {net['smape_circuit']:.2f} (model on the same segment "
              f"{net['smape_model']:.2f}), {net['spike_rate_circuit']:.4f} vs {net['spike_rate_model']:.4f} "
              f"spikes/neuron/step, per-neuron count correlation {net['spike_count_correlation']:.2f}")
    say(args, f"    figure: {out / 'mg-mtcsn_circuit.png'}")
    write_json(out / "summary.json", summary)
    say(args, f"done: {out}/summary.json")
    return summary
