"""The discrete-time MTCSN neuron: a functional core, batched over neurons, smooth everywhere.

Discretisation (step dt, no reset, no surrogate):
  filters   V_x[n+1] = a_x V_x[n] + (1 - a_x) V[n],        a_x = exp(-dt / tau_x)   (exact for held V)
  membrane  V[n+1]   = V[n] + phi * I(V[n], V_x[n]),        phi = (dt/c) * (1 - e^-h)/h,  h = g dt / c
where I = i_app + i_syn - g (V - e_rev) - sum_x alpha_x tanh(V_x - delta_x). The membrane step is
exponential Euler on the passive term, so it is stable for any dt however large g/c; it reduces to
forward Euler when g = 0. Elements with tau = 0 read V[n] directly.
"""
from __future__ import annotations

from dataclasses import dataclass

import torch

from mtcsn_hw.errors import ParameterError
from mtcsn_hw.model.adjoint import run_trajectory
from mtcsn_hw.model.fast_path import run_one
from mtcsn_hw.model.spikes import crossing_times


@dataclass
class StackedParams:
    """Tensors of shape (N,) for c, g, e_rev, i_app and (N, E) for alpha, delta, tau."""

    names: list[str]
    c: torch.Tensor
    g: torch.Tensor
    e_rev: torch.Tensor
    i_app: torch.Tensor
    alpha: torch.Tensor
    delta: torch.Tensor
    tau: torch.Tensor

    @property
    def n(self) -> int:
        return self.alpha.shape[0]

    def to(self, dtype) -> StackedParams:
        fields = {k: getattr(self, k).to(dtype) for k in ("c", "g", "e_rev", "i_app", "alpha", "delta", "tau")}
        return StackedParams(self.names, **fields)


def stack_params(params, dtype=torch.float64) -> StackedParams:
    """Stack one NeuronParams (maybe with tensor fields) or a list of them with the same elements."""
    plist = params if isinstance(params, (list, tuple)) else [params]
    if not plist:
        raise ParameterError("no neuron parameters given")
    names = [e.name for e in plist[0].elements]
    for p in plist[1:]:
        if [e.name for e in p.elements] != names:
            raise ParameterError("all neurons of a batch must have the same elements in the same order")

    def col(values):
        ts = [torch.as_tensor(v, dtype=dtype).reshape(-1) for v in values]
        return torch.cat(ts) if len(ts) > 1 else ts[0]

    n = max(torch.as_tensor(getattr(p, k)).numel() for p in plist for k in ("c", "g", "e_rev", "i_app"))
    n = max([n] + [torch.as_tensor(getattr(e, k)).numel()
                   for p in plist for e in p.elements for k in ("alpha", "delta", "tau")])
    if len(plist) > 1:
        n = 1

    def scalar(key):
        return col([torch.as_tensor(getattr(p, key), dtype=dtype).expand(n) for p in plist])

    def matrix(key):
        if not names:
            return torch.zeros(len(plist) * n, 0, dtype=dtype)
        cols = [col([torch.as_tensor(getattr(p.elements[j], key), dtype=dtype).expand(n) for p in plist])
                for j in range(len(names))]
        return torch.stack(cols, dim=-1)

    return StackedParams(names, scalar("c"), scalar("g"), scalar("e_rev"), scalar("i_app"),
                         matrix("alpha"), matrix("delta"), matrix("tau"))


def exprel(x: torch.Tensor) -> torch.Tensor:
    """(e^x - 1) / x, smooth through x = 0."""
    small = x.abs() < 1e-4
    safe = torch.where(small, torch.ones_like(x), x)
    return torch.where(small, 1 + x / 2 + x * x / 6, torch.expm1(safe) / safe)


def step_coefficients(p: StackedParams, dt: float):
    """Membrane gain phi (N,), filter decay a (N, E) and the instantaneous-element mask (N, E)."""
    h = p.g * dt / p.c
    phi = dt / p.c * exprel(-h)
    instant = p.tau <= 0
    tau_safe = torch.where(instant, torch.ones_like(p.tau), p.tau)
    a = torch.where(instant, torch.zeros_like(p.tau), torch.exp(-dt / tau_safe))
    return phi, a, instant


def ionic_current(v: torch.Tensor, vx: torch.Tensor, p: StackedParams, instant: torch.Tensor) -> torch.Tensor:
    """sum_x alpha_x tanh(V_x - delta_x), with instantaneous elements reading V. v: (..., N), vx: (..., N, E)."""
    vx_eff = torch.where(instant, v.unsqueeze(-1), vx)
    return (p.alpha * torch.tanh(vx_eff - p.delta)).sum(-1)


def step(v, vx, i_total, p: StackedParams, phi, a, instant):
    """One step of every neuron at once. Returns (v_next, vx_next)."""
    i_mem = i_total - p.g * (v - p.e_rev) - ionic_current(v, vx, p, instant)
    v_next = v + phi * i_mem
    vx_next = a * vx + (1 - a) * v.unsqueeze(-1)
    return v_next, vx_next


def resting_state(p: StackedParams, i_app: torch.Tensor, v_lo: float = -10.0, v_hi: float = 10.0) -> torch.Tensor:
    """Lowest steady state of each neuron for drive i_app.

    Found without gradient (first sign change of the steady-state current on a grid, then bisection:
    Newton alone can cycle on tanh curves), then one Newton step on the graph, which makes its gradient
    the implicit-function one, dv/dtheta = -(df/dtheta)/(df/dv).
    """
    def net(v):  # v (..., N); one element at a time: a sum over a short last axis is slow on big grids
        ion = sum(p.alpha[:, j] * torch.tanh(v - p.delta[:, j]) for j in range(len(p.names)))
        return p.g * (v - p.e_rev) + ion - i_app

    with torch.no_grad():
        grid = torch.linspace(v_lo, v_hi, 2001, dtype=p.g.dtype)
        f = net(grid.unsqueeze(-1).expand(-1, p.n))                      # (G, N)
        up = (f[:-1] < 0) & (f[1:] >= 0)
        has = up.any(0)
        first = torch.where(has, up.int().argmax(0), torch.zeros_like(has, dtype=torch.long))
        lo, hi = grid[first], grid[first + 1]
        lo = torch.where(has, lo, torch.full_like(lo, v_lo if bool((f[0] >= 0).all()) else v_hi))
        hi = torch.where(has, hi, lo)
        for _ in range(60):
            mid = 0.5 * (lo + hi)
            neg = net(mid) < 0
            lo, hi = torch.where(neg, mid, lo), torch.where(neg, hi, mid)
        v = 0.5 * (lo + hi)
    slope = p.g + (p.alpha / torch.cosh(v.unsqueeze(-1) - p.delta) ** 2).sum(-1)
    safe = torch.where(slope.abs() > 1e-9, slope, torch.ones_like(slope))
    return v - torch.where(slope.abs() > 1e-9, net(v) / safe, torch.zeros_like(v))


FAST_PATH_MAX_NEURONS = 16
# Default start: rest plus this kick, so an unstable equilibrium (a tonic neuron's) is left. Circuits
# exported from the model start the same way (circuit.simulate.initial_state).
DEFAULT_KICK = 0.1


def _needs_graph(p: StackedParams, *tensors) -> bool:
    if not torch.is_grad_enabled():
        return False
    fields = (p.c, p.g, p.e_rev, p.i_app, p.alpha, p.delta, p.tau) + tensors
    return any(t.requires_grad for t in fields)


def _run_torch(v, vx, drive, p, phi, a, instant):
    """Graph path: one autograd node for the whole trajectory (hand-written adjoint, adjoint.py)."""
    v_after, x_after = run_trajectory(v.unsqueeze(0), vx.unsqueeze(0), drive.unsqueeze(1), p, phi, a, instant)
    return torch.cat([v.unsqueeze(0), v_after[:, 0]]), torch.cat([vx.unsqueeze(0), x_after[:, 0]])


def step_reference(v, vx, drive, p, phi, a, instant):
    """Plain autograd through `step` for every step: the reference the adjoint is tested against."""
    vs, vxs = [v], [vx]
    for k in range(drive.shape[0]):
        v, vx = step(v, vx, drive[k], p, phi, a, instant)
        vs.append(v)
        vxs.append(vx)
    return torch.stack(vs), torch.stack(vxs)


def _run_floats(v, vx, drive, p, phi, a, instant):
    """No-gradient path: each neuron stepped in plain floats (see fast_path.py)."""
    steps, n = drive.shape
    v_all = torch.empty(steps + 1, n, dtype=v.dtype)
    vx_all = vx.detach().unsqueeze(0).repeat(steps + 1, 1, 1)
    d = drive.detach().T.tolist()
    for i in range(n):
        vs, xs, filtered = run_one(float(v[i]), vx[i].tolist(), d[i], p.alpha[i].tolist(), p.delta[i].tolist(),
                                   a[i].tolist(), instant[i].tolist(), float(p.g[i]), float(p.e_rev[i]),
                                   float(phi[i]))
        v_all[:, i] = torch.tensor(vs, dtype=v.dtype)
        if filtered:
            vx_all[:, i, filtered] = torch.tensor(xs, dtype=v.dtype)
    return v_all, vx_all


@dataclass
class NeuronTrace:
    t: torch.Tensor            # (T+1,)
    v: torch.Tensor            # (T+1, N), or (T+1,) for one neuron
    vx: dict                   # element name -> filtered voltage, same shape as v
    spike_times: list          # per neuron: 1-D tensor of interpolated upward crossings (differentiable)
    threshold: float

    @property
    def spikes(self):
        """Spike times of a single neuron (or of neuron 0)."""
        return self.spike_times[0]


def simulate_neuron(params, i_app=None, dt: float = 0.1, t_end: float | None = None,
                    v0=None, threshold: float = 0.0, dtype=torch.float64,
                    kick: float = DEFAULT_KICK) -> NeuronTrace:
    """Simulate one neuron, a batch with tensor-valued fields, or a list of NeuronParams.

    i_app: None (the params' own constant i_app, needs t_end), a number (constant, needs t_end),
           a (T,) sequence shared by all neurons or a (T, N) array: the applied current of each step.
    v0: initial membrane voltage (default: the resting state for the first applied current plus `kick`);
        the filtered voltages start at rest.
    Returns voltages at t = 0, dt, ..., T*dt and the interpolated upward crossings of `threshold`.
    """
    if not (dt > 0):
        raise ParameterError(f"dt must be > 0, got {dt}")
    p = stack_params(params, dtype)
    n = p.n
    if i_app is None or (not torch.is_tensor(i_app) and not hasattr(i_app, "__len__")) or (
            torch.is_tensor(i_app) and i_app.dim() == 0):
        if t_end is None:
            raise ParameterError("a constant i_app needs t_end")
        steps = int(round(t_end / dt))
        base = p.i_app if i_app is None else torch.as_tensor(i_app, dtype=dtype).expand(n)
        drive = base.unsqueeze(0).expand(steps, n)
    else:
        drive = torch.as_tensor(i_app, dtype=dtype)
        if drive.dim() == 1:
            drive = drive.unsqueeze(1).expand(-1, n)
        if drive.dim() != 2 or drive.shape[1] != n:
            raise ParameterError(f"i_app must have shape (T,) or (T, {n}), got {tuple(drive.shape)}")
    if not torch.isfinite(drive).all():
        raise ParameterError("i_app contains non-finite values")
    steps = drive.shape[0]

    phi, a, instant = step_coefficients(p, dt)
    rest = resting_state(p, drive[0] if steps else p.i_app)
    v = rest + kick if v0 is None else torch.as_tensor(v0, dtype=dtype).expand(n).clone()
    vx = rest.unsqueeze(-1).expand(n, len(p.names)).clone()
    if _needs_graph(p, drive, v) or n > FAST_PATH_MAX_NEURONS:
        v_all, vx_all = _run_torch(v, vx, drive, p, phi, a, instant)
    else:
        v_all, vx_all = _run_floats(v, vx, drive, p, phi, a, instant)
    vx_all = torch.where(instant.unsqueeze(0), v_all.unsqueeze(-1), vx_all)
    t = torch.arange(steps + 1, dtype=dtype) * dt
    spikes = [crossing_times(v_all[:, i], dt, threshold) for i in range(n)]
    single = not isinstance(params, (list, tuple)) and n == 1
    squeeze = (lambda x: x[:, 0]) if single else (lambda x: x)
    vx_named = {name: squeeze(vx_all[..., j]) for j, name in enumerate(p.names)}
    return NeuronTrace(t=t, v=squeeze(v_all), vx=vx_named, spike_times=spikes, threshold=threshold)
