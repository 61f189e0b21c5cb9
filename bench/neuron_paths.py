"""Speed of the neuron simulation paths, side by side in one run.

Reference: plain autograd through every step (`neuron.step_reference`). Compared: the hand-written
adjoint (one autograd node per trajectory, what simulate_neuron and MTCSNLayer use for gradients),
the torch path under no_grad, the plain-float path used when no gradient is needed, and scipy's
solve_ivp (DOP853, rtol 1e-8) on the same ODE. Also MTCSNLayer forward+backward throughput with both
gradient paths. Prints ratios against the reference.
"""
from __future__ import annotations

import platform
from functools import partial

import numpy as np
import torch
from scipy.integrate import solve_ivp
from timing import timed  # bench/timing.py (this script's folder is on sys.path)

from mtcsn_hw import NeuronParams, simulate_neuron
from mtcsn_hw.model.layer import MTCSNLayer


def neuron_rows(dt: float, t_end: float) -> list[tuple[str, float]]:
    """Wall time of each single-neuron path on the bursting preset, the reference first."""
    p = NeuronParams.preset("bursting")
    steps = int(t_end / dt)
    grad_alpha = torch.tensor(-2.0, dtype=torch.float64, requires_grad=True)
    pg = p.with_element("fast-", alpha=grad_alpha)

    def torch_graph():
        simulate_neuron(pg, dt=dt, t_end=t_end).v.sum().backward()

    def autograd_every_step():
        import mtcsn_hw.model.neuron as nm
        sp = nm.stack_params(pg)
        phi, a, inst = nm.step_coefficients(sp, dt)
        v0 = torch.full((1,), -1.9, dtype=torch.float64)
        drive = sp.i_app.expand(steps, 1)
        nm.step_reference(v0, v0.unsqueeze(-1).expand(1, 4), drive, sp, phi, a, inst)[0].sum().backward()

    def torch_nograd():
        import mtcsn_hw.model.neuron as nm
        old, nm.FAST_PATH_MAX_NEURONS = nm.FAST_PATH_MAX_NEURONS, -1
        try:
            with torch.no_grad():
                simulate_neuron(p, dt=dt, t_end=t_end)
        finally:
            nm.FAST_PATH_MAX_NEURONS = old

    def floats():
        simulate_neuron(p, dt=dt, t_end=t_end)

    def scipy_ode():
        a = np.array([-2.0, 2.0, -1.5, 1.5])
        d = np.array([0.0, 0.0, -1.5, -1.5])
        tau = np.array([50.0, 50.0, 2500.0])

        def rhs(t, y):
            v, x = y[0], y[1:]
            ion = a[0] * np.tanh(v - d[0]) + np.sum(a[1:] * np.tanh(x - d[1:]))
            return np.concatenate([[-2.0 - v - ion], (v - x) / tau])
        solve_ivp(rhs, (0, t_end), [-1.9, -2, -2, -2], method="DOP853", rtol=1e-8, atol=1e-8)

    return [("autograd through every step, fwd+bwd (reference)", timed(autograd_every_step, 1)),
            ("hand-written adjoint, forward+backward", timed(torch_graph, 1)),
            ("torch path, no_grad", timed(torch_nograd, 1)),
            ("plain-float path (default without gradient)", timed(floats)),
            ("scipy solve_ivp DOP853 rtol 1e-8", timed(scipy_ode))]


def per_step_autograd(v, vx, drive, p, phi, a, instant):
    """Stands in for the adjoint: autograd through every step."""
    from mtcsn_hw.model.neuron import step_reference
    vs, xs = step_reference(v, vx, drive, p, phi, a, instant)
    return vs[1:], xs[1:]


def forward_backward(layer: MTCSNLayer, x: torch.Tensor) -> None:
    s, _ = layer(x)
    s.mean().backward()


def layer_row(hidden: int, substeps: int) -> str:
    import mtcsn_hw.model.layer as lm

    layer = MTCSNLayer(1, hidden, template="bursting", substeps=substeps, seed=0)
    run = partial(forward_backward, layer, torch.randn(750, 8, 1))
    t_adj = timed(run, 2)
    lm.run_trajectory, saved = per_step_autograd, lm.run_trajectory
    try:
        t_ref = timed(run, 1)
    finally:
        lm.run_trajectory = saved
    n_steps = 750 * substeps
    return (f"  MTCSNLayer H={hidden} B=8 T=750 substeps={substeps}: fwd+bwd adjoint {t_adj:5.2f} s "
            f"({8 * hidden * n_steps / t_adj / 1e6:4.2f} M neuron-steps/s), per-step autograd {t_ref:5.2f} s: "
            f"{t_ref / t_adj:4.1f}x")


def main():
    torch.set_num_threads(1)
    dt, t_end = 0.1, 5000.0
    steps = int(t_end / dt)
    rows = neuron_rows(dt, t_end)
    ref = rows[0][1]
    print(f"machine: {platform.processor() or platform.machine()}, {torch.get_num_threads()} torch thread, "
          f"python {platform.python_version()}, torch {torch.__version__}")
    print(f"bursting neuron, {t_end:g} time units, dt = {dt} ({steps} steps)")
    for name, t in rows:
        print(f"  {name:48s} {t * 1e3:9.1f} ms  {t / steps * 1e6:7.2f} us/step  {ref / t:7.1f}x vs reference")
    for hidden, sub in [(64, 1), (64, 4)]:
        print(layer_row(hidden, sub))


if __name__ == "__main__":
    main()
