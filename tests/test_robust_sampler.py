"""The model-level mismatch sampler (training/mismatch.py) and the spec -> spreads mapping (retraining/spreads.py):
seeded draws, spreads equal to the device statistics (Pelgrom, computed here from the spec's numbers, and the
circuit's own chips), scale, exact nominal at zero scale, chips folded into the batch, gradients."""
import json
import math
from pathlib import Path

import numpy as np
import pytest
import torch

from mtcsn_hw.circuit.build import units_for
from mtcsn_hw.circuit.mismatch import load_spec
from mtcsn_hw.errors import ParameterError
from mtcsn_hw.model.layer import MTCSNLayer
from mtcsn_hw.retraining.spreads import model_spreads
from mtcsn_hw.training.mismatch import MismatchSampler, Spreads, draw

REPO = Path(__file__).resolve().parents[1]
SPEC_JSON = json.loads((REPO / "calibration" / "mismatch" / "sky130.json").read_text())
# the sky130 cells' operating point (docs/mismatch.md): kappa of the pair, slope factor of the mirror pfet and
# the tail nfet, U_T at 27 C; sizes (W, L) in um of the pair, mirror and tail devices
KAPPA, N_P, N_T, U_T = 0.712, 1.71, 1.52, 0.025865
PAIR, MIRROR, TAIL = (2.0, 2.0), (4.0, 4.0), (2.0, 8.0)


def pelgrom(kind: str, size) -> tuple[float, float]:
    """sigma(dVT) in V and sigma(dbeta/beta) of one device, from the spec's coefficients."""
    d = SPEC_JSON["devices"][kind]
    area = math.sqrt(size[0] * size[1])
    return d["a_vt_mv_um"] * 1e-3 / area, d["a_beta_pct_um"] * 1e-2 / area


def expected_delta_and_gain() -> tuple[float, float]:
    """The element OTA's offset (in V0) and log-gain sigmas, docs/mismatch.md section 3, from the numbers."""
    sv_pair, sb_pair = pelgrom("nfet_01v8", PAIR)
    sv_mir, sb_mir = pelgrom("pfet_01v8", MIRROR)
    sv_tail, sb_tail = pelgrom("nfet_01v8", TAIL)
    s_ib = SPEC_JSON["bias_reference"]["sigma_rel"]
    voff = math.sqrt(2 * sv_pair ** 2 + 2 * (sv_mir / (KAPPA * N_P)) ** 2
                     + (U_T / KAPPA) ** 2 * 2 * (sb_pair ** 2 + sb_mir ** 2))
    gain = math.sqrt(s_ib ** 2 + 2 * (sv_tail / (N_T * U_T)) ** 2 + 2 * sb_tail ** 2
                     + 0.25 * 2 * ((sv_mir / (N_P * U_T)) ** 2 + sb_mir ** 2))
    return voff / (2 * U_T / KAPPA), gain


@pytest.fixture(scope="module")
def spreads():
    return model_spreads(load_spec("sky130"), units_for("behavioral"))


def test_spreads_are_the_device_statistics_in_model_units(spreads):
    delta, gain = expected_delta_and_gain()
    pair_only = math.sqrt(2) * pelgrom("nfet_01v8", PAIR)[0] / (2 * U_T / KAPPA)   # A_VT / sqrt(WL) of the pair
    assert spreads.delta == pytest.approx(delta, rel=0.01)
    assert spreads.delta > pair_only                      # the mirror adds to the input pair's offset
    assert spreads.alpha == pytest.approx(gain, rel=0.01)
    assert spreads.c == SPEC_JSON["capacitor"]["sigma_rel"]
    assert spreads.c < spreads.tau < spreads.alpha


def test_empirical_spread_of_the_draws_matches_the_spreads(spreads):
    tau = torch.tensor([[0.0, 50.0]] * 8, dtype=torch.float64)
    p = draw(spreads, tau, 1000, seed=5)
    for sample, want in ((p.delta_shift, spreads.delta), (p.alpha_gain.log(), spreads.alpha),
                         (p.tau_gain[..., 1].log(), spreads.tau), (p.c_gain.log(), spreads.c)):
        n = sample.numel()
        tol = 4 / math.sqrt(2 * n)            # ~4 sigma of a sample standard deviation
        assert float(sample.std()) == pytest.approx(want, rel=tol)
    n = p.delta_shift.numel()
    assert abs(float(p.delta_shift.mean())) < 4 * spreads.delta / math.sqrt(n)


def test_draws_are_seeded_and_reproducible(spreads):
    tau = torch.tensor([[0.0, 50.0]] * 3, dtype=torch.float64)
    a, b = draw(spreads, tau, 4, 7, "train/3"), draw(spreads, tau, 4, 7, "train/3")
    c, d = draw(spreads, tau, 4, 8, "train/3"), draw(spreads, tau, 4, 7, "train/4")
    assert torch.equal(a.delta_shift, b.delta_shift) and torch.equal(a.alpha_gain, b.alpha_gain)
    assert not torch.equal(a.delta_shift, c.delta_shift) and not torch.equal(a.delta_shift, d.delta_shift)
    with pytest.raises(ParameterError):
        draw(spreads, tau, 1, -1)


def test_scale_multiplies_every_spread(spreads):
    spec = load_spec("sky130")
    tripled = model_spreads(spec.scaled(3.0), units_for("behavioral"))
    for key in ("alpha", "delta", "tau", "c"):
        assert getattr(tripled, key) == pytest.approx(3 * getattr(spreads, key), rel=1e-12)
    tau = torch.tensor([[0.0, 50.0]] * 4, dtype=torch.float64)
    one, three = draw(spreads, tau, 200, 1), draw(tripled, tau, 200, 1)
    assert torch.allclose(three.delta_shift, 3 * one.delta_shift)          # same z, three times the sigma


def test_elements_with_one_tau_share_one_filter_draw(spreads):
    tau = torch.tensor([[0.0, 50.0, 50.0, 2500.0]], dtype=torch.float64)
    p = draw(spreads, tau, 50, 2)
    assert torch.equal(p.tau_gain[..., 1], p.tau_gain[..., 2])
    assert not torch.equal(p.tau_gain[..., 1], p.tau_gain[..., 3])


def _layer(n_hidden=3, recurrent=False):
    layer = MTCSNLayer(1, n_hidden, template="tonic", dt=1.0, v_th=0.5, seed=3, dtype=torch.float64,
                       recurrent=recurrent)
    if recurrent:   # trained from zero; give the lateral synapses something to carry
        with torch.no_grad():
            layer.w_rec.copy_(torch.randn(n_hidden, n_hidden, generator=torch.Generator().manual_seed(5),
                                          dtype=torch.float64))
    return layer


def _input(batch):
    gen = torch.Generator().manual_seed(0)
    return torch.randn(40, batch, 1, generator=gen, dtype=torch.float64) * 2


def test_zero_scale_is_the_nominal_network_exactly(spreads):
    layer, x = _layer(), _input(4)
    ref, _ = layer(x)
    for per_sequence in (True, False):
        layer.mismatch = MismatchSampler(spreads.scaled(0.0), seed=1, per_sequence=per_sequence)(layer, 0, 4)
        out, _ = layer(x)
        assert torch.equal(out, ref)
    layer.mismatch = MismatchSampler(spreads.scaled(4.0), seed=1)(layer, 0, 4)
    assert not torch.allclose(layer(x)[0], ref)


@pytest.mark.parametrize("recurrent", [False, True])
def test_chips_folded_into_the_batch_equal_each_chip_run_alone(spreads, recurrent):
    layer, x = _layer(recurrent=recurrent), _input(3)
    chips = draw(spreads.scaled(4.0), layer.tau, 3, seed=9)
    layer.mismatch = chips
    folded, st = layer(x)
    for k in range(3):
        layer.mismatch = chips.chip(k)
        alone, st_k = layer(x[:, k:k + 1])
        assert torch.allclose(folded[:, k:k + 1], alone, atol=1e-12)
        assert torch.allclose(st.v[:, k:k + 1], st_k.v, atol=1e-12)
    layer.mismatch = draw(spreads, layer.tau, 2, seed=9)
    with pytest.raises(ValueError, match="2 chips for a batch of 3"):
        layer(x)


def test_gradients_flow_through_the_perturbed_parameters(spreads):
    layer, x = _layer(2), _input(2)
    layer.mismatch = draw(spreads.scaled(4.0), layer.tau, 2, seed=4)

    def loss():
        s, st = layer(x)
        return (st.v ** 2).mean() + s.mean()

    for param, idx in ((layer.log_abs_alpha, (0, 0)), (layer.delta_raw, (1, 1)), (layer.log_tau, (0, 1))):
        layer.zero_grad()
        loss().backward()
        grad = float(param.grad[idx])
        h = 1e-6
        with torch.no_grad():
            param[idx] += h
            up = float(loss())
            param[idx] -= 2 * h
            down = float(loss())
            param[idx] += h
        fd = (up - down) / (2 * h)
        assert grad == pytest.approx(fd, rel=1e-5, abs=1e-10)
        assert abs(grad) > 1e-8


def test_bad_spreads_are_refused():
    for bad in (-0.1, float("nan"), float("inf")):
        with pytest.raises(ParameterError):
            Spreads(alpha=bad)
    with pytest.raises(ParameterError):
        Spreads.from_dict({"alpha": 0.1})
    assert Spreads.from_dict(Spreads(0.1, 0.2, 0.3, 0.4).as_dict()) == Spreads(0.1, 0.2, 0.3, 0.4)
    assert np.isfinite(Spreads(0.1).scaled(2.0).alpha)


def test_a_scale_range_draws_chips_from_nominal_up_to_the_spreads(spreads):
    tau = torch.tensor([[0.0, 50.0]] * 5, dtype=torch.float64)
    full, ranged = draw(spreads, tau, 64, 3, "train/0"), draw(spreads, tau, 64, 3, "train/0", scale_range=True)
    ratio = ranged.delta_shift / full.delta_shift                      # each chip: the same z, its own fraction
    per_chip = ratio.reshape(64, -1)
    assert torch.allclose(per_chip, per_chip[:, :1].expand_as(per_chip))
    assert torch.allclose(ranged.alpha_gain.log() / full.alpha_gain.log(), ratio)
    assert 0 <= float(per_chip.min()) and float(per_chip.max()) <= 1 and float(per_chip.std()) > 0.2
