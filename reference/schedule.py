"""The DDPM noise-schedule buffers, computed in float64 (twin of the Swift schedule).

Formulas: the design notes (ARCHITECTURE.md, "Diffusion and the fix switches"); the cosine
schedule is Nichol & Dhariwal 2021, eq. 17, with s = 0.008 and betas clipped at 0.999.
"""

from __future__ import annotations

import math

import numpy as np

BUFFER_NAMES = [
    "betas", "alphas", "alphas_cumprod", "alphas_cumprod_prev", "sqrt_alphas_cumprod",
    "sqrt_one_minus_alphas_cumprod", "sqrt_recip_alphas_cumprod", "sqrt_recipm1_alphas_cumprod",
    "posterior_variance", "posterior_log_variance_clipped", "posterior_mean_coef1",
    "posterior_mean_coef2",
]


def linear_betas(T: int, start: float = 1e-4, end: float = 0.02) -> np.ndarray:
    return np.linspace(start, end, T, dtype=np.float64)


def cosine_betas(T: int, s: float = 0.008, max_beta: float = 0.999) -> np.ndarray:
    # alpha_bar(t) = f(t)/f(0), f(t) = cos(((t/T) + s)/(1 + s) * pi/2)^2, for t = 0..T
    x = np.arange(T + 1, dtype=np.float64)
    f = np.cos(((x / T) + s) / (1 + s) * math.pi / 2) ** 2
    ac = f / f[0]
    return np.clip(1 - ac[1:] / ac[:-1], 0, max_beta)


def buffers(betas: np.ndarray) -> dict:
    """All twelve buffers (float64, shape (T,)) from the betas."""
    alphas = 1.0 - betas
    ac = np.cumprod(alphas)
    ac_prev = np.concatenate([[1.0], ac[:-1]])
    post_var = betas * (1.0 - ac_prev) / (1.0 - ac)
    return {
        "betas": betas,
        "alphas": alphas,
        "alphas_cumprod": ac,
        "alphas_cumprod_prev": ac_prev,
        "sqrt_alphas_cumprod": np.sqrt(ac),
        "sqrt_one_minus_alphas_cumprod": np.sqrt(1.0 - ac),
        "sqrt_recip_alphas_cumprod": np.sqrt(1.0 / ac),
        "sqrt_recipm1_alphas_cumprod": np.sqrt(1.0 / ac - 1.0),
        "posterior_variance": post_var,
        # beta-tilde_0 is 0; log(0) is replaced by beta-tilde_1 (the DDPM code's "clipped" log).
        "posterior_log_variance_clipped": np.log(np.concatenate([[post_var[1]], post_var[1:]])),
        "posterior_mean_coef1": betas * np.sqrt(ac_prev) / (1.0 - ac),
        "posterior_mean_coef2": (1.0 - ac_prev) * np.sqrt(alphas) / (1.0 - ac),
    }
