"""PyTorch twin of the Swift engine's UNet (Sources/DiffusionEngine/Model/UNetConfig.swift).

The module tree mirrors the Swift doc comment exactly, so `named_parameters()` yields the same
names the Swift `ParameterStore` registers (`downs.0.blocks.0.norm1.weight`, `mid.attn.qkv.bias`,
`ups.1.up.weight`, ...). Shapes use PyTorch's layouts: Linear (out, in), Conv2d (out, in, kh, kw).

Dimension letters: N batch, C channels, H height, W width, L = H*W positions, D features.

`forward_order_names(model)` lists the parameters in forward order (the order the Swift model
registers them). `named_parameters()` differs from it only when resBlocks > 1 and a level has
attention, because PyTorch visits the `blocks` list before the `attns` list.
"""

from __future__ import annotations

import json
import math
from dataclasses import asdict, dataclass, field

import torch
import torch.nn.functional as F
from torch import nn


class SwiftConfig:
    """`to_json`/`from_json` of a dataclass whose field names are Swift's Codable keys (the
    checkpoint's config JSON); unknown keys are an error."""

    def to_json(self) -> str:
        return json.dumps(asdict(self), separators=(",", ":"))

    @classmethod
    def from_json(cls, text: str):
        d = json.loads(text)
        unknown = set(d) - set(cls.__dataclass_fields__)
        if unknown:
            raise ValueError(f"{cls.__name__} JSON: unknown keys {sorted(unknown)}")
        return cls(**d)


@dataclass
class UNetConfig(SwiftConfig):
    """Field names match Swift's Codable keys, so `asdict` is the checkpoint's config JSON."""

    imageSize: int
    channels: int = 3
    dim: int = 32
    channelMults: list = field(default_factory=lambda: [1, 2, 2])
    resBlocks: int = 1
    attentionResolutions: list = field(default_factory=list)
    groups: int = 8
    attentionHeads: int = 4
    attentionHeadDim: int = 32

    @property
    def levels(self) -> int:
        return len(self.channelMults)

    @property
    def time_dim(self) -> int:
        return 4 * self.dim


# Mirrors of the Swift presets (keep in sync with UNetConfig.swift).
PRESETS = {
    "tiny": UNetConfig(imageSize=32, channels=3, dim=32, channelMults=[1, 2, 2], resBlocks=1,
                       attentionResolutions=[], groups=8, attentionHeads=2, attentionHeadDim=32),
    "course": UNetConfig(imageSize=32, channels=3, dim=64, channelMults=[1, 2, 4, 8], resBlocks=2,
                         attentionResolutions=[16], groups=8, attentionHeads=4, attentionHeadDim=32),
    "tiny64": UNetConfig(imageSize=64, channels=3, dim=32, channelMults=[1, 2, 2, 2], resBlocks=1,
                         attentionResolutions=[], groups=8, attentionHeads=2, attentionHeadDim=32),
    "course64": UNetConfig(imageSize=64, channels=3, dim=64, channelMults=[1, 2, 4, 8], resBlocks=2,
                           attentionResolutions=[16], groups=8, attentionHeads=4, attentionHeadDim=32),
    "fixture": UNetConfig(imageSize=8, channels=3, dim=8, channelMults=[1, 2], resBlocks=1,
                          attentionResolutions=[4], groups=4, attentionHeads=2, attentionHeadDim=4),
}


def sinusoidal(t: torch.Tensor, d: int) -> torch.Tensor:
    """(N,) float timesteps -> (N, d): [sin(t f_k)]_k ++ [cos(t f_k)]_k, f_k = exp(-ln(1e4) k/(half-1))."""
    half = d // 2
    k = torch.arange(half, dtype=t.dtype, device=t.device)
    f = torch.exp(-math.log(10000.0) * k / (half - 1))  # (half,)
    arg = t[:, None] * f[None, :]  # (N, half)
    return torch.cat([torch.sin(arg), torch.cos(arg)], dim=1)


class TimeMLP(nn.Module):
    """temb = lin2(silu(lin1(sinusoidal(t, dim)))): (N,) -> (N, 4*dim)."""

    def __init__(self, dim: int):
        super().__init__()
        self.dim = dim
        self.lin1 = nn.Linear(dim, 4 * dim)
        self.lin2 = nn.Linear(4 * dim, 4 * dim)

    def forward(self, t):
        return self.lin2(F.silu(self.lin1(sinusoidal(t, self.dim))))


class ResBlock(nn.Module):
    """(N, in, H, W), temb (N, T) -> (N, out, H, W). With tdim None (the VAE's blocks) there is no
    time_proj and no temb."""

    def __init__(self, cin: int, cout: int, tdim, groups: int):
        super().__init__()
        # Registration order = forward order = the Swift engine's order.
        self.norm1 = nn.GroupNorm(groups, cin, eps=1e-5)
        self.conv1 = nn.Conv2d(cin, cout, 3, padding=1)
        self.time_proj = nn.Linear(tdim, cout) if tdim is not None else None
        self.norm2 = nn.GroupNorm(groups, cout, eps=1e-5)
        self.conv2 = nn.Conv2d(cout, cout, 3, padding=1)
        self.skip = nn.Conv2d(cin, cout, 1) if cin != cout else None

    def forward(self, x, temb=None):
        h = self.conv1(F.silu(self.norm1(x)))
        if self.time_proj is not None:
            h = h + self.time_proj(F.silu(temb))[:, :, None, None]
        h = self.conv2(F.silu(self.norm2(h)))
        return h + (self.skip(x) if self.skip is not None else x)


class Attention(nn.Module):
    """Multi-head self-attention over the H*W positions, residual: (N, C, H, W) -> same.

    qkv's 3*hidden output channels are the blocks [q | k | v]; head h uses channels
    h*headDim ..< (h+1)*headDim of each block; the output o is head-major (N, hidden, H, W).
    """

    def __init__(self, c: int, groups: int, heads: int, head_dim: int):
        super().__init__()
        self.heads, self.head_dim = heads, head_dim
        hidden = heads * head_dim
        self.norm = nn.GroupNorm(groups, c, eps=1e-5)
        self.qkv = nn.Conv2d(c, 3 * hidden, 1)
        self.proj = nn.Conv2d(hidden, c, 1)

    def forward(self, x):
        n, c, hgt, wid = x.shape
        nh, hd, L = self.heads, self.head_dim, hgt * wid
        qkv = self.qkv(self.norm(x)).reshape(n, 3, nh, hd, L)  # (N, [q|k|v], heads, headDim, L)
        q, k, v = qkv[:, 0], qkv[:, 1], qkv[:, 2]  # each (N, heads, headDim, L)
        scores = torch.einsum("nhdi,nhdj->nhij", q, k) / math.sqrt(hd)  # (N, heads, Lq, Lk)
        a = torch.softmax(scores, dim=-1)  # over key positions
        o = torch.einsum("nhij,nhdj->nhdi", a, v)  # (N, heads, headDim, Lq)
        return x + self.proj(o.reshape(n, nh * hd, hgt, wid))


class Level(nn.Module):
    """One resolution level: `blocks`, `attns` (when attention is on here), `down` or `up`."""

    def __init__(self):
        super().__init__()
        self.blocks = nn.ModuleList()
        self.attns = nn.ModuleList()


class Mid(nn.Module):
    def __init__(self, c: int, cfg: UNetConfig):
        super().__init__()
        self.block1 = ResBlock(c, c, cfg.time_dim, cfg.groups)
        self.attn = Attention(c, cfg.groups, cfg.attentionHeads, cfg.attentionHeadDim)
        self.block2 = ResBlock(c, c, cfg.time_dim, cfg.groups)


class UNet(nn.Module):
    """x (N, channels, S, S), t (N,) float -> (N, channels, S, S)."""

    def __init__(self, cfg: UNetConfig):
        super().__init__()
        self.cfg = cfg
        L, td, g = cfg.levels, cfg.time_dim, cfg.groups
        self.time_mlp = TimeMLP(cfg.dim)
        self.init_conv = nn.Conv2d(cfg.channels, cfg.dim, 3, padding=1)

        def attn_at(level: int) -> bool:
            return (cfg.imageSize >> level) in cfg.attentionResolutions

        self.downs = nn.ModuleList()
        ch = cfg.dim
        for i in range(L):
            out = cfg.dim * cfg.channelMults[i]
            lvl = Level()
            for j in range(cfg.resBlocks):
                lvl.blocks.append(ResBlock(ch, out, td, g))
                ch = out
                if attn_at(i):
                    lvl.attns.append(Attention(out, g, cfg.attentionHeads, cfg.attentionHeadDim))
            if i != L - 1:
                lvl.down = nn.Conv2d(out, out, 3, stride=2, padding=1)
            self.downs.append(lvl)

        self.mid = Mid(ch, cfg)

        self.ups = nn.ModuleList()
        for k in range(L):
            i = L - 1 - k
            out = cfg.dim * cfg.channelMults[i]
            lvl = Level()
            for j in range(cfg.resBlocks):
                lvl.blocks.append(ResBlock(ch + out, out, td, g))
                ch = out
                if attn_at(i):
                    lvl.attns.append(Attention(out, g, cfg.attentionHeads, cfg.attentionHeadDim))
            if i != 0:
                lvl.up = nn.Conv2d(out, out, 3, padding=1)
            self.ups.append(lvl)

        self.final_norm = nn.GroupNorm(g, ch, eps=1e-5)
        self.final_conv = nn.Conv2d(ch, cfg.channels, 3, padding=1)

    def forward(self, x, t):
        temb = self.time_mlp(t.to(x.dtype))  # (N, 4*dim)
        h = self.init_conv(x)
        skips = []
        for lvl in self.downs:
            for j, block in enumerate(lvl.blocks):
                h = block(h, temb)
                if len(lvl.attns):
                    h = lvl.attns[j](h)
                skips.append(h)
            if hasattr(lvl, "down"):
                h = lvl.down(h)
        h = self.mid.block1(h, temb)
        h = self.mid.attn(h)
        h = self.mid.block2(h, temb)
        for lvl in self.ups:
            for j, block in enumerate(lvl.blocks):
                h = block(torch.cat([h, skips.pop()], dim=1), temb)
                if len(lvl.attns):
                    h = lvl.attns[j](h)
            if hasattr(lvl, "up"):
                h = lvl.up(F.interpolate(h, scale_factor=2, mode="nearest"))
        return self.final_conv(F.silu(self.final_norm(h)))


def forward_order_names(model: UNet) -> list:
    """Parameter names in forward order (= the Swift model's registration order)."""
    params = dict(model.named_parameters())
    names = []

    def add(prefix: str, module: nn.Module):
        for n, _ in module.named_parameters(prefix=prefix):
            names.append(n)

    add("time_mlp", model.time_mlp)
    add("init_conv", model.init_conv)
    for side in ("downs", "ups"):
        for li, lvl in enumerate(getattr(model, side)):
            for j, block in enumerate(lvl.blocks):
                add(f"{side}.{li}.blocks.{j}", block)
                if len(lvl.attns):
                    add(f"{side}.{li}.attns.{j}", lvl.attns[j])
            for tail in ("down", "up"):
                if hasattr(lvl, tail):
                    add(f"{side}.{li}.{tail}", getattr(lvl, tail))
        if side == "downs":
            add("mid", model.mid)
    add("final_norm", model.final_norm)
    add("final_conv", model.final_conv)
    assert sorted(names) == sorted(params), "forward_order_names misses or invents a parameter"
    return names


# MARK: analytic counts (the same formulas as UNetConfig+FLOPs.swift)

def _conv(n, cin, cout, k, hw):
    """(params, FLOPs) of a k x k conv producing hw output positions per image."""
    return cout * cin * k * k + cout, 2.0 * n * cout * cin * k * k * hw


def _linear(n, cin, cout):
    return cout * cin + cout, 2.0 * n * cin * cout


def _groupnorm(c):
    return 2 * c, 0.0


def _resblock(n, cin, cout, td, hw):
    parts = [_groupnorm(cin), _conv(n, cin, cout, 3, hw), _linear(n, td, cout),
             _groupnorm(cout), _conv(n, cout, cout, 3, hw)]
    if cin != cout:
        parts.append(_conv(n, cin, cout, 1, hw))
    return sum(p for p, _ in parts), sum(f for _, f in parts)


def _attention(n, c, heads, hd, hw):
    hidden = heads * hd
    parts = [_groupnorm(c), _conv(n, c, 3 * hidden, 1, hw), _conv(n, hidden, c, 1, hw)]
    # q^T k and the weighted sum of v: each L*L*headDim multiply-adds per head.
    matmuls = 2 * (2.0 * n * heads * hw * hw * hd)
    return sum(p for p, _ in parts), sum(f for _, f in parts) + matmuls


def analytic_counts(cfg: UNetConfig, batch: int = 1):
    """(parameter count, forward FLOPs) counting a multiply-add as 2 FLOPs in convs, linears and
    the attention matmuls; elementwise ops (norms, activations, biases, softmax) are ignored."""
    n, td, L = batch, cfg.time_dim, cfg.levels
    parts = [_linear(n, cfg.dim, td), _linear(n, td, td),
             _conv(n, cfg.channels, cfg.dim, 3, cfg.imageSize ** 2)]

    def attn_at(level):
        return (cfg.imageSize >> level) in cfg.attentionResolutions

    ch = cfg.dim
    for i in range(L):
        out, hw = cfg.dim * cfg.channelMults[i], (cfg.imageSize >> i) ** 2
        for _ in range(cfg.resBlocks):
            parts.append(_resblock(n, ch, out, td, hw))
            ch = out
            if attn_at(i):
                parts.append(_attention(n, out, cfg.attentionHeads, cfg.attentionHeadDim, hw))
        if i != L - 1:
            parts.append(_conv(n, out, out, 3, (cfg.imageSize >> (i + 1)) ** 2))
    hw = (cfg.imageSize >> (L - 1)) ** 2
    parts += [_resblock(n, ch, ch, td, hw),
              _attention(n, ch, cfg.attentionHeads, cfg.attentionHeadDim, hw),
              _resblock(n, ch, ch, td, hw)]
    for k in range(L):
        i = L - 1 - k
        out, hw = cfg.dim * cfg.channelMults[i], (cfg.imageSize >> i) ** 2
        for _ in range(cfg.resBlocks):
            parts.append(_resblock(n, ch + out, out, td, hw))
            ch = out
            if attn_at(i):
                parts.append(_attention(n, out, cfg.attentionHeads, cfg.attentionHeadDim, hw))
        if i != 0:
            parts.append(_conv(n, out, out, 3, (cfg.imageSize >> (i - 1)) ** 2))
    parts += [_groupnorm(ch), _conv(n, ch, cfg.channels, 3, cfg.imageSize ** 2)]
    return sum(p for p, _ in parts), sum(f for _, f in parts)


def parameter_count(cfg: UNetConfig) -> int:
    return analytic_counts(cfg)[0]


def forward_flops(cfg: UNetConfig, batch: int) -> float:
    return analytic_counts(cfg, batch)[1]
