"""The neuron's whole trajectory as one autograd node, with a hand-written adjoint (exact BPTT).

Autograd records ~20 nodes per step of `neuron.step`; replaying them costs ~5x the arithmetic. Here
the forward loop runs without a graph and keeps the states, and the backward pass runs the adjoint
recursion of the same discrete map, each step a handful of fused tensor ops:
    u_j = V (instantaneous j) or X_j,   sg_j = sigmoid(2 (u_j - delta_j)),   tanh(u_j - delta_j) = 2 sg_j - 1
    V' = c1 V + d - sum_j 2 phi alpha_j sg_j,    c1 = 1 - phi g,   d = phi (i + g e + sum_j alpha_j)
    X'_j = X_j + b_j (V - X_j),   b_j = 1 - a_j                                        (filtered j)
    q_j = phi alpha_j (1 - tanh^2) = 4 phi alpha_j sg_j (1 - sg_j)
    lam_V = lam_V' (c1 - sum_inst q_j) + sum_filt b_j lam_X'_j,   lam_X_j = a_j lam_X'_j - lam_V' q_j
(sigmoid, not tanh: torch's tanh kernel is several times slower than its sigmoid on CPU.)
States are stored element-major as rows of shape (B, N), so the filter update and the adjoint step are
single ops on contiguous planes. With exactly one instantaneous element (every preset) V is that
element's row and the rows are exactly the u_j; otherwise V is row 0 and the X_j follow. The X
returned for an instantaneous element is V, the value it reads. Parameter gradients are batched
reductions over all steps after the loop. Tests hold it equal to autograd through `neuron.step` and
to finite differences.
"""
from __future__ import annotations

import torch


def _rows(t: torch.Tensor) -> torch.Tensor:
    """(N, E) per-neuron element values -> (E, 1, N), broadcasting against rows (E, B, N)."""
    return t.T.unsqueeze(1).contiguous()


class _Layout:
    """Which state row holds V and which rows hold the u_j; per-row constants padded to all rows."""

    def __init__(self, instant: torch.Tensor):
        E = instant.shape[-1]
        first = instant[0] if instant.shape[0] else instant.new_zeros(E)
        self.v_is_u = bool((instant == first).all()) and int(first.sum()) == 1
        self.v = int(first.nonzero()[0, 0]) if self.v_is_u else 0
        self.u = slice(0, E) if self.v_is_u else slice(1, E + 1)
        self.n_rows = E if self.v_is_u else E + 1
        self.read_v = not self.v_is_u and bool(instant.any())      # u_j = where(instant, V, X_j)
        self.inst = _rows(instant)
        self.filt = _rows(~instant)
        self.filtered = [self.u.start + j for j in range(E) if bool((~instant[:, j]).any())]

    def pad(self, per_element: torch.Tensor) -> torch.Tensor:
        """(E, 1, N) -> (rows, 1, N), zero on rows that hold no filtered X_j."""
        out = per_element.new_zeros((self.n_rows,) + per_element.shape[1:])
        out[self.u] = per_element * self.filt
        return out


class Trajectory(torch.autograd.Function):
    @staticmethod
    def forward(ctx, v0, x0, drive, alpha, delta, g, e_rev, phi, a, instant):
        """v0 (B,N), x0 (B,N,E), drive (S,B,N); params (N,) or (N,E). Returns V (S,B,N) and X (S,B,N,E)
        after each step."""
        ctx.set_materialize_grads(False)
        S, (B, N), E = drive.shape[0], v0.shape, alpha.shape[-1]
        lay = _Layout(instant)
        ys = torch.empty(S + 1, lay.n_rows, B, N, dtype=v0.dtype)
        sg = torch.empty(S, E, B, N, dtype=v0.dtype)
        ys[0, lay.u] = x0.permute(2, 0, 1)
        ys[0, lay.v] = v0
        pa = phi.unsqueeze(-1) * alpha
        d = torch.addcmul(phi * g * e_rev + pa.sum(-1), phi, drive)                    # (S,B,N)
        c1, neg_2delta, b = 1 - phi * g, _rows(-2 * delta), lay.pad(_rows(1 - a))
        neg_pa2 = (-2 * pa).T.contiguous().unbind(0)
        y, v, u = ys.unbind(0), ys[:, lay.v:lay.v + 1].unbind(0), ys[:, lay.u].unbind(0)        # v[n]: (1,B,N)
        sg_step, sg_el, ds = sg.unbind(0), [sg[:, j].unbind(0) for j in range(E)], d.unbind(0)
        for n in range(S):
            un = torch.where(lay.inst, v[n], u[n]) if lay.read_v else u[n]
            torch.sigmoid(torch.add(neg_2delta, un, alpha=2.0), out=sg_step[n])
            torch.lerp(y[n], v[n], b, out=y[n + 1])                                       # X' (V's row: V)
            vn = torch.addcmul(ds[n], c1, v[n], out=v[n + 1])                             # V' over it
            for j in range(E):
                vn.addcmul_(neg_pa2[j], sg_el[j][n])
        ctx.save_for_backward(ys, sg, alpha, delta, g, e_rev, phi, a, instant)
        v_out, x_out = ys[1:, lay.v], ys[1:, lay.u].permute(0, 2, 3, 1)
        if lay.read_v:
            x_out = torch.where(instant, v_out.unsqueeze(-1), x_out)
        return v_out, x_out

    @staticmethod
    def backward(ctx, grad_v, grad_x):
        ys, sg, alpha, delta, g, e_rev, phi, a, instant = ctx.saved_tensors
        lay = _Layout(instant)
        neg_q = torch.addcmul(sg, sg, sg, value=-1).mul_(-4 * _rows(phi.unsqueeze(-1) * alpha))   # (S,E,B,N)
        lam = _output_adjoints(ys, lay, grad_v, grad_x)
        _adjoint_loop(lam, _dv_du(neg_q, lay), lay, phi, g, a)
        v_prev, v_next, u_prev = ys[:-1, lay.v], ys[1:, lay.v], ys[:-1, lay.u]
        lam_v = lam[1:, lay.v]
        g_drive = lam_v * phi                                                          # (S,B,N)
        # in place on fresh temporaries: each new trajectory-sized tensor costs page faults
        g_phi = _total((v_next - v_prev).mul_(lam_v)) / phi                             # lam_V' i_mem
        g_g = -_total((v_prev - e_rev).mul_(g_drive))
        g_e = _total(g_drive) * g
        w = g_drive.unsqueeze(1)
        g_alpha = -_total(torch.addcmul(-w, sg, w, value=2)).T                         # -w tanh
        g_delta = -_total(neg_q.mul_(lam_v.unsqueeze(1))).T
        g_a = _total((u_prev - v_prev.unsqueeze(1)).mul_(lam[1:, lay.u])).T * ~instant
        lam_x0 = lam[0, lay.u].permute(1, 2, 0) * ~instant
        return lam[0, lay.v], lam_x0, g_drive, g_alpha, g_delta, g_g, g_e, g_phi, g_a, None


def _total(t: torch.Tensor) -> torch.Tensor:
    """Sum over steps (dim 0) and batch (dim -2): (S,B,N) -> (N,), (S,E,B,N) -> (E,N). Summing the
    steps first keeps the reduction on contiguous planes (sum((0, 2)) is ~10x slower)."""
    return t.sum(0).sum(-2)


def _output_adjoints(ys, lay: _Layout, grad_v, grad_x) -> torch.Tensor:
    """Adjoints of every state, initialised with the loss gradients of the outputs."""
    lam = torch.zeros_like(ys)
    if grad_x is not None:
        gx = grad_x.permute(0, 3, 1, 2)                                                 # (S,E,B,N)
        if lay.read_v:
            lam[1:, lay.v] = (gx * lay.inst).sum(1)
            gx = gx * lay.filt
        lam[1:, lay.u] += gx
    if grad_v is not None:
        lam[1:, lay.v] += grad_v
    return lam


def _dv_du(neg_q, lay: _Layout) -> torch.Tensor:
    """dV'/d(row) - c1 for every step and row: -q_j on u_j's row, summed onto V's row where u_j = V."""
    if lay.v_is_u:
        return neg_q                                                                   # rows are the u_j
    S, E, B, N = neg_q.shape
    dv = neg_q.new_zeros(S, E + 1, B, N)
    if lay.read_v:
        dv[:, lay.u] = neg_q * lay.filt
        dv[:, lay.v] = (neg_q * lay.inst).sum(1)
    else:
        dv[:, lay.u] = neg_q
    return dv


def _adjoint_loop(lam, dv, lay: _Layout, phi, g, a):
    """lam[k-1] += (dY[k]/dY[k-1])^T lam[k], from the last step back to the first."""
    keep = lay.pad(_rows(a))                                                          # dX'_j/dX_j
    keep[lay.v] = 1 - phi * g                                                         # dV'/dV, tanh aside
    b = lay.pad(_rows(1 - a))
    lam_k, lam_v, dv_k = lam.unbind(0), lam[:, lay.v:lay.v + 1].unbind(0), dv.unbind(0)
    feeds = [(b[r, 0], lam[:, r].unbind(0)) for r in lay.filtered]                  # dX'_j/dV
    for k in range(lam.shape[0] - 1, 0, -1):
        lam_k[k - 1].addcmul_(keep, lam_k[k]).addcmul_(dv_k[k - 1], lam_v[k])
        for weight, lam_x in feeds:
            lam_v[k - 1].addcmul_(weight, lam_x[k])


def run_trajectory(v0, x0, drive, p, phi, a, instant):
    """V (S,B,N) and X (S,B,N,E) after each step (X_j = V for instantaneous j), differentiable in everything."""
    return Trajectory.apply(v0, x0, drive, p.alpha, p.delta, p.g, p.e_rev, phi, a, instant)
