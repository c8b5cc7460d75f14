"""PyTorch twin of the Swift engine's VAE (Sources/DiffusionEngine/Model/VAEConfig.swift).

The module tree mirrors the Swift doc comment, so `named_parameters()` yields the names the Swift
`ParameterStore` registers (`encoder.downs.0.blocks.0.conv1.weight`, `encoder.to_stats.bias`,
`decoder.ups.1.up.weight`, ...), in the same (forward) order, and a VAE checkpoint's `param.`
tensors load with `load_state_dict(strict=True)`.

Dimension letters: N batch, C channels, S image side, s = S / 2^(L-1) the bottom side,
zc / zd the latent's channels (a map, (zc, s, s)) or size (a vector, (zd,)).

The loss (`vae_loss`) is the Swift `VAELoss`: reconstruction summed over each image's C*S*S
values (L2 or L1) plus w * KL summed over its latent values, averaged over the batch.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import torch
import torch.nn.functional as F
from torch import nn

from unet import ResBlock, SwiftConfig

LOGVAR_RANGE = (-30.0, 20.0)


@dataclass
class VAEConfig(SwiftConfig):
    """Field names match Swift's Codable keys, so `asdict` is the checkpoint's config JSON."""

    imageSize: int
    channels: int = 3
    dim: int = 32
    channelMults: list = field(default_factory=lambda: [1, 2, 2])
    resBlocks: int = 1
    groups: int = 8
    latentShape: list = field(default_factory=lambda: [4, 8, 8])
    beta: float = 1.0
    klWarmupSteps: int = 0
    reconstruction: str = "l2"

    @property
    def levels(self) -> int:
        return len(self.channelMults)

    @property
    def bottom_side(self) -> int:
        return self.imageSize >> (self.levels - 1)

    @property
    def bottom_channels(self) -> int:
        return self.dim * self.channelMults[-1]

    @property
    def spatial(self) -> bool:
        return len(self.latentShape) == 3

    def kl_weight(self, step: int) -> float:
        """beta * min(1, step / klWarmupSteps), as `VAEConfig.klWeight(step:)`."""
        if self.klWarmupSteps <= 0 or step >= self.klWarmupSteps:
            return self.beta
        return self.beta * step / self.klWarmupSteps


# Mirrors of the Swift presets (keep in sync with VAEConfig.swift).
PRESETS = {
    "fixture": VAEConfig(imageSize=8, channels=3, dim=8, channelMults=[1, 2], resBlocks=1, groups=4,
                         latentShape=[2, 4, 4], beta=0.5, klWarmupSteps=0, reconstruction="l2"),
    "fixtureVector": VAEConfig(imageSize=8, channels=3, dim=8, channelMults=[1, 2], resBlocks=1, groups=4,
                               latentShape=[6], beta=0.5, klWarmupSteps=0, reconstruction="l1"),
}


class Level(nn.Module):
    """One resolution level: `blocks`, then `down` (encoder) or `up` (decoder) where there is one."""

    def __init__(self):
        super().__init__()
        self.blocks = nn.ModuleList()


class Encoder(nn.Module):
    """x (N, C, S, S) -> mu, logvar, each (N, zc, s, s) or (N, zd)."""

    def __init__(self, cfg: VAEConfig):
        super().__init__()
        self.cfg = cfg
        self.init_conv = nn.Conv2d(cfg.channels, cfg.dim, 3, padding=1)
        self.downs = nn.ModuleList()
        ch = cfg.dim
        for i in range(cfg.levels):
            out = cfg.dim * cfg.channelMults[i]
            lvl = Level()
            for _ in range(cfg.resBlocks):
                lvl.blocks.append(ResBlock(ch, out, None, cfg.groups))
                ch = out
            if i != cfg.levels - 1:
                lvl.down = nn.Conv2d(out, out, 3, stride=2, padding=1)
            self.downs.append(lvl)
        self.final_norm = nn.GroupNorm(cfg.groups, ch, eps=1e-5)
        s = cfg.bottom_side
        if cfg.spatial:
            self.to_stats = nn.Conv2d(ch, 2 * cfg.latentShape[0], 3, padding=1)
        else:
            self.to_stats = nn.Linear(ch * s * s, 2 * cfg.latentShape[0])

    def forward(self, x):
        h = self.init_conv(x)
        for lvl in self.downs:
            for block in lvl.blocks:
                h = block(h)
            if hasattr(lvl, "down"):
                h = lvl.down(h)
        h = F.silu(self.final_norm(h))
        stats = self.to_stats(h if self.cfg.spatial else h.flatten(1))
        return stats.chunk(2, dim=1)  # the first half is mu


class Decoder(nn.Module):
    """z (N, zc, s, s) or (N, zd) -> (N, C, S, S)."""

    def __init__(self, cfg: VAEConfig):
        super().__init__()
        self.cfg = cfg
        ch, s = cfg.bottom_channels, cfg.bottom_side
        if cfg.spatial:
            self.from_latent = nn.Conv2d(cfg.latentShape[0], ch, 3, padding=1)
        else:
            self.from_latent = nn.Linear(cfg.latentShape[0], ch * s * s)
        self.ups = nn.ModuleList()
        for k in range(cfg.levels):
            i = cfg.levels - 1 - k
            out = cfg.dim * cfg.channelMults[i]
            lvl = Level()
            for _ in range(cfg.resBlocks):
                lvl.blocks.append(ResBlock(ch, out, None, cfg.groups))
                ch = out
            if i != 0:
                lvl.up = nn.Conv2d(out, out, 3, padding=1)
            self.ups.append(lvl)
        self.final_norm = nn.GroupNorm(cfg.groups, ch, eps=1e-5)
        self.final_conv = nn.Conv2d(ch, cfg.channels, 3, padding=1)

    def forward(self, z):
        h = self.from_latent(z)
        if not self.cfg.spatial:
            s = self.cfg.bottom_side
            h = h.reshape(z.shape[0], self.cfg.bottom_channels, s, s)
        for lvl in self.ups:
            for block in lvl.blocks:
                h = block(h)
            if hasattr(lvl, "up"):
                h = lvl.up(F.interpolate(h, scale_factor=2, mode="nearest"))
        return self.final_conv(F.silu(self.final_norm(h)))


class VAE(nn.Module):
    """x (N, C, S, S), eps (N, latent...) -> mu, logvar, z, x_hat."""

    def __init__(self, cfg: VAEConfig):
        super().__init__()
        self.cfg = cfg
        self.encoder = Encoder(cfg)
        self.decoder = Decoder(cfg)

    def forward(self, x, eps):
        mu, logvar = self.encoder(x)
        z = mu + torch.exp(0.5 * logvar.clamp(*LOGVAR_RANGE)) * eps
        return mu, logvar, z, self.decoder(z)


def vae_loss(x, x_hat, mu, logvar, kind: str, kl_weight: float):
    """(loss, reconstruction, kl): per-image sums, means over the batch (Swift's `VAELoss`)."""
    n = x.shape[0]
    err = x_hat - x
    recon = (err.square() if kind == "l2" else err.abs()).sum() / n
    lv = logvar.clamp(*LOGVAR_RANGE)
    kl = 0.5 * (mu.square() + lv.exp() - 1 - lv).sum() / n
    return recon + kl_weight * kl, recon, kl
