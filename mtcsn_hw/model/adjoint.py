"""The neuron's whole trajectory as one autograd node, with a hand-written adjoint (exact BPTT).

Autograd records ~20 nodes per step of `neuron.step`; replaying them costs ~5x the arithmetic. Here
the forward loop runs without a graph and keeps the states, and the backward pass runs the adjoint
recursion of the same discrete map:
    u_j = V (instantaneous j) or X_j,  th_j = tanh(u_j - delta_j),  s_j = 1 - th_j^2
    V' = V + phi (i - g (V - e) - sum_j alpha_j th_j),   X'_j = a_j X_j + (1 - a_j) V
    lam_V = lam_V' (1 - phi g - phi sum_inst alpha s) + sum_filt lam_X'_j (1 - a_j)
    lam_X_j = -lam_V' phi alpha_j s_j + lam_X'_j a_j                      (filtered j)
(as in `neuron.step`, an instantaneous element's X is updated with a = 0, i.e. it copies V.)
Parameter gradients are then batched reductions over all steps. Tests hold it equal to autograd
through `neuron.step` and to finite differences.
"""
from __future__ import annotations

import torch


class Trajectory(torch.autograd.Function):
    @staticmethod
    def forward(ctx, v0, x0, drive, alpha, delta, g, e_rev, phi, a, instant):
        """v0 (B,N), x0 (B,N,E), drive (S,B,N); params (N,) or (N,E). Returns V (S,B,N) and X (S,B,N,E)
        after each step."""
        S = drive.shape[0]
        filt = (~instant).to(v0.dtype)
        inst = instant.to(v0.dtype)
        vs = torch.empty((S + 1,) + v0.shape, dtype=v0.dtype)
        xs = torch.empty((S + 1,) + x0.shape, dtype=v0.dtype)
        ths = torch.empty((S,) + x0.shape, dtype=v0.dtype)
        vs[0], xs[0] = v0, x0
        v, x = v0, x0
        one_minus_a = 1 - a
        for n in range(S):
            u = inst * v.unsqueeze(-1) + filt * x
            th = torch.tanh(u - delta)
            ths[n] = th
            v_next = v + phi * (drive[n] - g * (v - e_rev) - (alpha * th).sum(-1))
            x = a * x + one_minus_a * v.unsqueeze(-1)
            v = v_next
            vs[n + 1], xs[n + 1] = v, x
        ctx.save_for_backward(vs, xs, ths, drive, alpha, delta, g, e_rev, phi, a, instant)
        return vs[1:].clone(), xs[1:].clone()

    @staticmethod
    def backward(ctx, grad_v, grad_x):
        vs, xs, ths, drive, alpha, delta, g, e_rev, phi, a, instant = ctx.saved_tensors
        S = drive.shape[0]
        filt = (~instant).to(vs.dtype)
        inst = instant.to(vs.dtype)
        s = 1 - ths * ths                                              # (S,B,N,E)
        coef_v = 1 - phi * g - phi * (inst * alpha * s).sum(-1)        # dV'/dV           (S,B,N)
        coef_xv = -(phi.unsqueeze(-1) * filt * alpha) * s              # dV'/dX_j         (S,B,N,E)
        to_x = 1 - a                                                   # dX'_j/dV (a = 0: X_j copies V)
        a_f = a                                                        # dX'_j/dX_j
        lam_v = torch.zeros_like(vs[0]) if grad_v is None else grad_v[-1].clone()
        lam_x = torch.zeros_like(xs[0]) if grad_x is None else grad_x[-1].clone()
        Lv = torch.empty_like(vs[1:])
        Lx = torch.empty_like(xs[1:])
        for n in range(S - 1, -1, -1):
            Lv[n], Lx[n] = lam_v, lam_x
            new_v = lam_v * coef_v[n] + (lam_x * to_x).sum(-1)
            if n > 0 and grad_v is not None:
                new_v = new_v + grad_v[n - 1]
            lam_x = lam_v.unsqueeze(-1) * coef_xv[n] + lam_x * a_f
            if n > 0 and grad_x is not None:
                lam_x = lam_x + grad_x[n - 1]
            lam_v = new_v
        v_prev, x_prev = vs[:-1], xs[:-1]
        i_mem = (vs[1:] - v_prev) / phi
        red = tuple(range(Lv.dim() - phi.dim()))                       # sum over steps and batch
        g_drive = Lv * phi
        g_phi = (Lv * i_mem).sum(red)
        g_g = (-Lv * phi * (v_prev - e_rev)).sum(red)
        g_e = (Lv * phi * g).sum(red)
        LvE = (Lv * phi).unsqueeze(-1)
        g_alpha = (-LvE * ths).sum(red)
        g_delta = (LvE * alpha * s).sum(red)
        g_a = (Lx * (x_prev - v_prev.unsqueeze(-1))).sum(red)
        return lam_v, lam_x, g_drive, g_alpha, g_delta, g_g, g_e, g_phi, g_a, None


def run_trajectory(v0, x0, drive, p, phi, a, instant):
    """V (S,B,N) and filtered voltages X (S,B,N,E) after each step, differentiable in everything."""
    return Trajectory.apply(v0, x0, drive, p.alpha, p.delta, p.g, p.e_rev, phi, a, instant)
