"""`mtcsn-hw simulate`: run a netlist (or a preset / PARAMS.json) in ngspice through PySpice."""
from __future__ import annotations

import sys
from pathlib import Path

from mtcsn_hw.cli.netlist import add_circuit_arguments, spec_and_units
from mtcsn_hw.errors import ParameterError


def register(sub) -> None:
    p = sub.add_parser("simulate", help="simulate a netlist or a neuron in ngspice (spikes, I-V curves)",
                       description="Transient with spike extraction (physical and model units); with --iv also "
                                   "the circuit's fast/slow/ultra-slow I-V curves against the model's.")
    add_circuit_arguments(p)
    p.add_argument("--iv", action="store_true", help="also sweep the I-V curves (PARAMS.json or --preset only)")
    p.add_argument("--threshold", type=float, default=0.0, help="spike threshold in model units (default 0)")
    p.add_argument("--json", action="store_true", help="print one JSON object on stdout")
    p.set_defaults(func=run)


def run(args):
    from mtcsn_hw.circuit.mapping import Units
    from mtcsn_hw.circuit.netlist import read_units_line, write_netlist
    from mtcsn_hw.circuit.simulate import iv_curves_circuit, iv_curves_model, run_transient, transient_summary
    from mtcsn_hw.circuit.compare import iv_rmse
    from mtcsn_hw.circuit.technology import Technology, thermal_voltage

    params = None
    if args.source and Path(args.source).suffix.lower() in (".cir", ".sp", ".spice", ".net"):
        path = Path(args.source)
        if not path.is_file():
            raise ParameterError(f"no netlist at {path}")
        text = path.read_text()
        u = read_units_line(text)
        if not u:
            raise ParameterError(f"{path} was not written by mtcsn-hw netlist (no units line)")
        v0 = u["v0"]
        tech = Technology("file", temp_c=27.0, kappa=2 * thermal_voltage(27.0) / v0)  # only V0 matters here
        units = Units(tech, i0=u["i0"], c_m=u["c_m"], v_rest=u["v_rest"])
        n = int(u.get("neurons", 1))
        source = str(path)
    else:
        spec, units, source = spec_and_units(args)
        text = write_netlist(spec, units)
        n = len(spec.neurons)
        params = spec.neurons[0] if n == 1 else None
    tr = run_transient(text, units, n, args.threshold)
    out = {"source": source, **transient_summary(tr)}
    if args.iv:
        if params is None:
            raise ParameterError("--iv needs a single neuron (PARAMS.json or --preset)")
        circ = iv_curves_circuit(params, units)
        model = iv_curves_model(params, circ["v"], circ["v_rest"])
        out["iv"] = {"v_model": circ["v"].tolist(), "v_rest_model": circ["v_rest"],
                     "v_phys": [units.volt(x) for x in circ["v"]], "curves": {}}
        for k in ("fast", "slow", "ultraslow"):
            out["iv"]["curves"][k] = {"i_model_units": circ[k].tolist(), "i_amps": (circ[k] * units.i0).tolist(),
                                      "model": model[k].tolist(), "rmse_full_scale": iv_rmse(circ["v"], model[k], circ[k])}
    if args.iv:
        from mtcsn_hw.circuit.simulate import element_iv_curves
        el = element_iv_curves(params, units)
        out["iv"]["elements"] = {name: {"v_model": el["v"].tolist(), "i_model_units": d["circuit"].tolist(),
                                        "model": d["model"].tolist(),
                                        "rmse_full_scale": iv_rmse(el["v"], d["model"], d["circuit"])}
                                 for name, d in el["elements"].items()}
    if not args.json:
        for k, nrn in enumerate(out["neurons"]):
            sys.stdout.write(f"vm_{k}: {nrn['n_spikes']} spikes in {out['t_end_s'] * 1e3:.4g} ms "
                             f"({out['t_end_model']:.6g} tau0)\n")
        if args.iv:
            for k, c in out["iv"]["curves"].items():
                sys.stdout.write(f"I-V {k}: RMSE {100 * c['rmse_full_scale']:.2f} % of full scale off the model\n")
    return out
