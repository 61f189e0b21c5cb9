"""Many chips of one neuron in one bench (calibration.chip_batch) against each chip on its own, in real
ngspice with the sky130 transistor cells: the same draws on the same devices, the same element curves."""
import numpy as np

from mtcsn_hw.calibration.chip_batch import chip_batch
from mtcsn_hw.calibration.chip_bench import make_chip
from mtcsn_hw.calibration.measure_elements import measure_elements
from mtcsn_hw.calibration.measure_spikes import autonomous_stimulus, measure_spikes
from mtcsn_hw.circuit.build import units_for
from mtcsn_hw.circuit.mismatch import load_spec
from mtcsn_hw.model.params import NeuronParams

BURSTING = NeuronParams.preset("bursting")
SPEC = load_spec("sky130")


def test_each_slot_carries_its_own_chips_draws():
    units = units_for("transistor")
    batch = chip_batch(BURSTING, units, SPEC, [3, 5])
    for k, seed in enumerate((3, 5)):
        own = make_chip([BURSTING], units, SPEC, seed).table
        moved = {name.replace("_0", f"_{k}", 1): v for name, v in own.items()}
        assert {n: v for n, v in batch.table.items() if n in moved} == moved
    assert len(batch.table) == 2 * len(own)
    assert batch.table["Xe_0_fast_m/M1"] != batch.table["Xe_1_fast_m/M1"]


def test_batched_element_curves_are_each_chips_own():
    units = units_for("transistor")
    seeds = [3, 5, 8]
    batched = measure_elements(chip_batch(BURSTING, units, SPEC, seeds), [0, 1, 2], step=0.2)
    spread = []
    for k, seed in enumerate(seeds):
        alone = measure_elements(make_chip([BURSTING], units, SPEC, seed), [0], step=0.2)[0]
        for name, sweep in alone.items():
            np.testing.assert_array_equal(batched[k][name].v, sweep.v)
            # within ngspice's own tolerance (reltol 1e-3 + abstol 1 pA = 1e-3 I0): Newton stops at a
            # slightly different iterate when it solves the chips together
            diff = np.abs(batched[k][name].current - sweep.current)
            assert np.max(diff) < 1e-3 * np.max(np.abs(sweep.current)) + 1e-3
            assert np.median(diff) < 1e-6
            spread.append(sweep.current)
    assert np.max(np.abs(spread[0] - spread[len(alone)])) > 1e-2     # the chips differ: slots are not copies


def test_batched_behavioural_spike_trains_are_each_chips_own():
    units = units_for("behavioral")
    seeds = [0, 1]
    stim = autonomous_stimulus(3000.0)
    batched = measure_spikes(chip_batch(BURSTING, units, SPEC, seeds), [0, 1], {0: stim, 1: stim})
    for k, seed in enumerate(seeds):
        alone = measure_spikes(make_chip([BURSTING], units, SPEC, seed), [0], {0: stim})[0]
        assert len(alone.spike_times) == len(batched[k].spike_times) > 3
        assert np.max(np.abs(alone.spike_times - batched[k].spike_times)) < 2.0     # tau0; max step 1 tau0
