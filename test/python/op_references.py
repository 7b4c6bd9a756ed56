"""The upstream reference formulas of mamba_mlir.ops, written out in torch
float64 (mamba_ssm's selective_scan_ref and selective_state_update_ref,
causal_conv1d's causal_conv1d_ref and causal_conv1d_update_ref, the
RMSNorm formula), shared by the CPU and CUDA op tests. Inputs may be on
any device; the results are float64 on the CPU."""

import torch

silu = torch.nn.functional.silu
softplus = torch.nn.functional.softplus


def f64(t):
    return None if t is None else t.detach().cpu().double()


def rel(got, want):
    """Relative L2 error of got against the float64 reference want."""
    got = f64(got)
    return float((got - want).norm() / want.norm())


def scan_reference(u, delta, A, B, C, D=None, z=None, delta_bias=None,
                   delta_softplus=False):
    """selective_scan_ref's recurrence: B, C [b, G, N, L]. Returns (y, the
    last state)."""
    u, delta, A, B, C, D, z, delta_bias = map(
        f64, (u, delta, A, B, C, D, z, delta_bias))
    if delta_bias is not None:
        delta = delta + delta_bias[:, None]
    if delta_softplus:
        delta = softplus(delta)
    b, d, L = u.shape
    G = B.shape[1]
    B = B.repeat_interleave(d // G, dim=1)  # [b, d, N, L]
    C = C.repeat_interleave(d // G, dim=1)
    x = u.new_zeros((b, d, A.shape[1]))
    ys = []
    for t in range(L):
        x = (torch.exp(delta[:, :, t, None] * A) * x +
             delta[:, :, t, None] * B[:, :, :, t] * u[:, :, t, None])
        ys.append((x * C[:, :, :, t]).sum(-1))
    y = torch.stack(ys, dim=-1)
    if D is not None:
        y = y + u * D[:, None]
    if z is not None:
        y = y * silu(z)
    return y, x


def state_update_reference(state, x, dt, A, B, C, D=None, z=None,
                           dt_bias=None, dt_softplus=False):
    """selective_state_update_ref: B, C [b, N] or [b, G, N]. Returns (out,
    the new state)."""
    state, x, dt, A, B, C, D, z, dt_bias = map(
        f64, (state, x, dt, A, B, C, D, z, dt_bias))
    d = x.shape[1]
    if dt_bias is not None:
        dt = dt + dt_bias
    if dt_softplus:
        dt = softplus(dt)
    if B.dim() == 2:
        B, C = B[:, None], C[:, None]
    G = B.shape[1]
    B = B.repeat_interleave(d // G, 1)
    C = C.repeat_interleave(d // G, 1)
    new = state * torch.exp(dt[..., None] * A) + dt[..., None] * B * x[..., None]
    out = (new * C).sum(-1)
    if D is not None:
        out = out + x * D
    if z is not None:
        out = out * silu(z)
    return out, new


def conv_reference(x, weight, bias=None, activation=None):
    """causal_conv1d_ref: x [b, d, L], weight [d, K]."""
    x, weight, bias = map(f64, (x, weight, bias))
    d, K = weight.shape
    out = torch.nn.functional.conv1d(x, weight[:, None, :], bias,
                                     padding=K - 1, groups=d)[..., :x.shape[-1]]
    return silu(out) if activation else out


def conv_update_reference(x, conv_state, weight, bias=None, activation=None):
    """causal_conv1d_update_ref for one step: returns (out, the shifted
    state)."""
    x, conv_state, weight, bias = map(f64, (x, conv_state, weight, bias))
    shifted = torch.cat([conv_state[:, :, 1:], x[:, :, None]], dim=-1)
    out = (shifted * weight).sum(-1)
    if bias is not None:
        out = out + bias
    return (silu(out) if activation else out), shifted


def rms_norm_reference(x, weight, residual=None, eps=1e-6):
    """The fused add + RMSNorm: returns (y, r = x + residual)."""
    x, weight, residual = map(f64, (x, weight, residual))
    r = x + (residual if residual is not None else 0)
    return r / torch.sqrt((r * r).mean(-1, keepdim=True) + eps) * weight, r


def _ssd_dt(dt, dt_bias, dt_softplus):
    """The SSD's time step: + dt_bias, then softplus if asked."""
    if dt_bias is not None:
        dt = dt + dt_bias
    return softplus(dt) if dt_softplus else dt


def _ssd_skip_and_gate(y, x, D, z):
    """y + D x (D per head, broadcast over the head's channels, or per
    channel), times silu(z)."""
    if D is not None:
        y = y + (D[:, None] if D.ndim == 1 else D) * x
    return y if z is None else y * silu(z)


def ssd_reference(x, dt, A, B, C, D=None, z=None, dt_bias=None,
                  initial_states=None, dt_softplus=False):
    """Mamba-2's SSD as its per-step recurrence (mamba_ssm's
    ssd_minimal_discrete, unchunked): x, z [b, L, H, P]; dt [b, L, H]; A
    [H]; B, C [b, L, G, N]; D [H] or [H, P]; dt_bias [H]. Returns (y, the
    last state [b, H, P, N])."""
    x, dt, A, B, C, D, z, dt_bias, h = map(
        f64, (x, dt, A, B, C, D, z, dt_bias, initial_states))
    b, L, H, P = x.shape
    G, N = B.shape[2], B.shape[3]
    dt = _ssd_dt(dt, dt_bias, dt_softplus)
    heads = torch.arange(H) // (H // G)
    Bh, Ch = B[:, :, heads], C[:, :, heads]                 # [b, L, H, N]
    h = torch.zeros(b, H, P, N, dtype=torch.float64) if h is None else h
    ys = []
    for t in range(L):
        decay = torch.exp(dt[:, t] * A)[:, :, None, None]
        h = decay * h + (dt[:, t, :, None] * x[:, t])[..., None] * \
            Bh[:, t, :, None, :]
        ys.append((h * Ch[:, t, :, None, :]).sum(-1))
    return _ssd_skip_and_gate(torch.stack(ys, 1), x, D, z), h


def ssd_step_reference(state, x, dt, A, B, C, D=None, z=None, dt_bias=None,
                       dt_softplus=False):
    """Mamba2.step's multi-head selective_state_update_ref: state [b, H, P,
    N]; x, dt, z [b, H, P]; A [H, P, N]; B, C [b, G, N]; D, dt_bias [H, P].
    Returns (out, the new state)."""
    state, x, dt, A, B, C, D, z, dt_bias = map(
        f64, (state, x, dt, A, B, C, D, z, dt_bias))
    H, G = x.shape[1], B.shape[1]
    dt = _ssd_dt(dt, dt_bias, dt_softplus)
    heads = torch.arange(H) // (H // G)
    Bh, Ch = B[:, heads, None, :], C[:, heads, None, :]     # [b, H, 1, N]
    state = state * torch.exp(dt[..., None] * A) + \
        (dt * x)[..., None] * Bh
    return _ssd_skip_and_gate((state * Ch).sum(-1), x, D, z), state
