"""What the `netlist` and `simulate` commands do, as library functions: a user's source (a preset, a
PARAMS.json, a checkpoint folder, or a netlist file) -> netlist data, units, and the command's result."""
from __future__ import annotations

from pathlib import Path

from mtcsn_hw.circuit.build import neuron_spec, units_for
from mtcsn_hw.circuit.compare import iv_rmse
from mtcsn_hw.circuit.export import checkpoint_dir_spec, export
from mtcsn_hw.circuit.iv import element_iv_curves, iv_curves_circuit, iv_curves_model
from mtcsn_hw.circuit.netlist import output_path_for
from mtcsn_hw.circuit.netlist_file import is_netlist_path, read_netlist_file
from mtcsn_hw.circuit.network import network_bench
from mtcsn_hw.circuit.runtime import check_runtime
from mtcsn_hw.circuit.simulate import run_transient, transient_summary
from mtcsn_hw.errors import ParameterError
from mtcsn_hw.model.params import NeuronParams


def resolve(source=None, preset=None, level="behavioral", corner="tt", temp=27.0, i0=1e-9, cm=1e-12, t_end=None):
    """(NetworkSpec, Units, source label) of a preset, a PARAMS.json or a checkpoint folder."""
    if bool(source) == bool(preset):
        raise ParameterError("give exactly one of PARAMS.json, models/NAME or --preset NAME")
    units = units_for(level, corner, temp, i0, cm)
    if preset:
        return neuron_spec(NeuronParams.preset(preset), preset, t_end), units, f"preset:{preset}"
    src = Path(source)
    if src.is_dir():
        return checkpoint_dir_spec(src, t_end=t_end), units, str(src)
    return neuron_spec(NeuronParams.load(src), None, t_end), units, str(src)


def netlist_command(out, **request) -> dict:
    """Write the netlist of a source to `out`; returns what the command reports."""
    spec, units, label = resolve(**request)
    export(spec, units, out)
    return {"netlist": str(out), "results_file": output_path_for(out), "source": label,
            "level": units.tech.level, "corner": units.tech.corner, "temp_c": units.tech.temp_c,
            "neurons": len(spec.neurons), "t_end_model": spec.t_end, "t_end_s": units.seconds(spec.t_end),
            "units": units.as_dict()}


def _iv_summary(params: NeuronParams, units) -> dict:
    circ = iv_curves_circuit(params, units)
    model = iv_curves_model(params, circ["v"], circ["v_rest"])
    out = {"v_model": circ["v"].tolist(), "v_rest_model": circ["v_rest"],
           "v_phys": [units.volt(x) for x in circ["v"]], "curves": {}}
    for k in ("fast", "slow", "ultraslow"):
        out["curves"][k] = {"i_model_units": circ[k].tolist(), "i_amps": units.amps(circ[k]).tolist(),
                            "model": model[k].tolist(), "rmse_full_scale": iv_rmse(circ["v"], model[k], circ[k])}
    el = element_iv_curves(params, units)
    out["elements"] = {name: {"v_model": el["v"].tolist(), "i_model_units": d["circuit"].tolist(),
                              "model": d["model"].tolist(),
                              "rmse_full_scale": iv_rmse(el["v"], d["model"], d["circuit"])}
                       for name, d in el["elements"].items()}
    return out


def _bench_of(source, request: dict):
    """(bench, units, neurons, level, label, single neuron's params or None)."""
    if is_netlist_path(source):
        bench, units, n, level = read_netlist_file(source)
        return bench, units, n, level, str(source), None
    spec, units, label = resolve(source=source, **request)
    n = len(spec.neurons)
    return network_bench(spec, units), units, n, units.tech.level, label, spec.neurons[0] if n == 1 else None


def simulate_command(source=None, iv: bool = False, threshold: float = 0.0, **request) -> dict:
    """Simulate a netlist file or a source (after checking it can finish in reasonable time); with iv,
    also the circuit's I-V curves against the model's (single neurons only)."""
    bench, units, n, level, label, params = _bench_of(source, request)
    if iv and params is None:
        raise ParameterError("--iv needs a single neuron (PARAMS.json or --preset)")
    check_runtime(level, n, bench.tran().stop)
    out = {"source": label, **transient_summary(run_transient(bench, units, n, threshold))}
    if iv:
        out["iv"] = _iv_summary(params, units)
    return out
