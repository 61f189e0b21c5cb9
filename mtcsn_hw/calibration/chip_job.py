"""The calibration of one chip, as a Monte Carlo job: job(seed, context) -> ChipResult.

  1. the neurons' bench (level, corner, temperature), the chip's mismatch table drawn (spec + seed) and applied;
  2. measured before: element DC curves, filter taus, membrane capacitances, I-V curves, autonomous and driven
     spike trains;
  3. the digital twin fitted (element fits, measured taus, constant currents folded into i_app);
  4. biases re-tuned per neuron with the retune loop, measure(knobs) re-simulating the chip's bench with the
     knobs applied (to tolerance or max_iter iterations, every iteration recorded);
  5. measured after, and the calibrated chip's twin fitted from its final DC measurements
     (twin_calibrated.json);
  6. both twins refined on their chip's driven spike train (refine.py, every step recorded in refinement.json)
     and their driven trains judged against their chip's (twin Gamma before and after, the DC twins' beside);
     files written by the engine into the chip's folder.

context (plain data, see calibrate_run.chip_context): neurons (neuron JSON), level, corner, temp, spec (mismatch
spec JSON or None), t_auto, t_driven, driven_seed, tol, max_iter, refine_steps.
"""
from __future__ import annotations

import time

from mtcsn_hw.calibration.chip_bench import Chip, apply_all_knobs, make_chip
from mtcsn_hw.calibration.chip_result import ChipResult
from mtcsn_hw.calibration.chip_summary import chip_files, chip_summary, neuron_record
from mtcsn_hw.calibration.knobs import nominal_knobs
from mtcsn_hw.calibration.measure_elements import measure_elements
from mtcsn_hw.calibration.measure_filters import measure_filters
from mtcsn_hw.calibration.measure_iv import measure_iv
from mtcsn_hw.calibration.measure_membrane import measure_membranes
from mtcsn_hw.calibration.measure_spikes import autonomous_stimulus, driven_stimulus, measure_spikes
from mtcsn_hw.calibration.measurements import Measurements
from mtcsn_hw.calibration.record import driven_washout
from mtcsn_hw.calibration.reference import fine_model_spikes_many
from mtcsn_hw.calibration.refine import REFINE_STEPS, RefineSettings, refine_twins
from mtcsn_hw.calibration.retune import RetuneSettings, retune
from mtcsn_hw.calibration.tolerances import IV_RMSE_MAX
from mtcsn_hw.calibration.twin import dc_twin
from mtcsn_hw.circuit.build import units_for
from mtcsn_hw.circuit.mismatch import spec_from_json
from mtcsn_hw.errors import SimulationError
from mtcsn_hw.model.params import NeuronParams


def chip_of(seed: int, context: dict) -> Chip:
    neurons = [NeuronParams.from_dict(d) for d in context["neurons"]]
    units = units_for(context["level"], context.get("corner", "tt"), float(context.get("temp", 27.0)))
    spec = None if context.get("spec") is None else spec_from_json(context["spec"])
    return make_chip(neurons, units, spec, seed)


def measure_state(chip: Chip, context: dict, knobs_by_neuron: dict | None, dc: dict | None = None) -> dict:
    """k -> Measurements (elements, filters, runs) and the I-V curves, for every neuron of the chip."""
    keep = list(range(len(chip.neurons)))
    if dc is None:
        dc = {"elements": measure_elements(chip, keep, knobs_by_neuron),
              "filters": measure_filters(chip, keep, knobs_by_neuron), "membrane": measure_membranes(chip, keep)}
    auto = measure_spikes(chip, keep, {k: autonomous_stimulus(context["t_auto"]) for k in keep}, knobs_by_neuron)
    driven = measure_spikes(chip, keep, {k: driven_stimulus(context["t_driven"], context["driven_seed"])
                                         for k in keep}, knobs_by_neuron)
    meas = {k: Measurements(dc["elements"][k], dc["filters"].get(k, {}),
                            {"autonomous": auto[k], "driven": driven[k]}, dc["membrane"][k]) for k in keep}
    return {"measurements": meas, "iv": measure_iv(chip, keep, knobs_by_neuron)}


class _Measurer:
    """measure(knobs) for one neuron: its element sweep and (when its filter biases changed) its filter taus,
    re-simulated on the chip's bench with the knobs applied; the first answer is the 'before' measurement."""

    def __init__(self, chip: Chip, k: int, first: Measurements):
        self.chip, self.k, self.first = chip, k, first
        self.nominal = nominal_knobs(chip.neurons[k], chip.units)
        self.filters = {(): None}
        self.calls = 0

    def __call__(self, knobs) -> Measurements:
        self.calls += 1
        if knobs == self.nominal:
            return Measurements(self.first.elements, self.first.filters)
        key = tuple(sorted(knobs.filters.items()))
        if key not in self.filters:
            self.filters[key] = measure_filters(self.chip, [self.k], {self.k: knobs}).get(self.k, {})
        elements = measure_elements(self.chip, [self.k], {self.k: knobs})[self.k]
        return Measurements(elements, self.filters[key])


def calibrate_chip(seed: int, context: dict) -> ChipResult:
    started = time.perf_counter()
    chip = chip_of(seed, context)
    before = measure_state(chip, context, None)
    settings = RetuneSettings(tol=float(context.get("tol", IV_RMSE_MAX)), max_iter=int(context.get("max_iter", 10)))
    twins, tunes = [], []
    for k, target in enumerate(chip.neurons):
        meas = before["measurements"][k]
        twins.append(dc_twin(target, meas))
        tunes.append(retune(target, _Measurer(chip, k, meas), nominal_knobs(target, chip.units), chip.units,
                            settings))
    knobs = {k: t.knobs for k, t in enumerate(tunes)}
    final_dc = {"elements": {k: t.measurements.elements for k, t in enumerate(tunes)},
                "filters": {k: t.measurements.filters for k, t in enumerate(tunes)},
                "membrane": {k: m.membrane_c for k, m in before["measurements"].items()}}   # no knob changes it
    after = measure_state(chip, context, knobs, final_dc)
    # the chip as it will run, with its calibrated biases (and trims): what chip-specific retraining freezes
    calibrated_twins = [dc_twin(target, tunes[k].measurements, tunes[k].knobs.leak_g(target, chip.units),
                                after["measurements"][k].membrane_c) for k, target in enumerate(chip.neurons)]
    n = len(chip.neurons)
    stimuli = [state["measurements"][k].runs["driven"].stimulus for state in (before, after) for k in range(n)]
    stimulus = stimuli[0]
    if any(s != stimulus for s in stimuli):
        raise SimulationError("the chip's neurons were driven by different protocols")
    runs = [state["measurements"][k].runs["driven"] for state in (before, after) for k in range(n)]
    steps = int(context.get("refine_steps", REFINE_STEPS))
    refined = refine_twins([t.params for t in twins + calibrated_twins], [r.spike_times for r in runs], stimulus,
                           driven_washout(runs[0]), RefineSettings(steps=steps))
    trains = fine_model_spikes_many([r.params for r in refined] + [r.start for r in refined], stimulus)
    for twin, r in zip(twins + calibrated_twins, refined, strict=True):
        twin.params = r.params
    records = [neuron_record(chip.neurons[k], k, before, after, (trains[k], trains[n + k]), tunes[k], context,
                             (trains[2 * n + k], trains[3 * n + k])) for k in range(n)]
    seconds = time.perf_counter() - started
    bench = apply_all_knobs(chip.bench, knobs, chip.neurons, chip.units)
    return ChipResult(summary=chip_summary(records, seconds),
                      files=chip_files(chip, context, before, after, (twins, calibrated_twins), tunes, records, bench,
                                       refined))


