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


def betas(kind: str, T: int, start: float = 1e-4, end: float = 0.02) -> np.ndarray:
    """The betas of every schedule kind, element by element as `NoiseSchedule.betas` computes
    them (linspace(lo, hi, T)[i] = lo + (hi - lo) * i / (T - 1)), float64, shape (T,).

        linear     linspace(start, end)
        quadratic  linspace(sqrt(start), sqrt(end))^2
        sigmoid    sigmoid(linspace(-6, 6)) * (end - start) + start
        cosine     Nichol & Dhariwal, s = 0.008, clipped to [0, 0.999]
    """
    i = np.arange(T, dtype=np.float64)

    def lin(lo, hi):
        return lo + (hi - lo) * i / (T - 1)

    if kind == "linear":
        return lin(start, end)
    if kind == "quadratic":
        return lin(math.sqrt(start), math.sqrt(end)) ** 2
    if kind == "sigmoid":
        return 1 / (1 + np.exp(-lin(-6.0, 6.0))) * (end - start) + start
    if kind == "cosine":
        x = np.arange(T + 1, dtype=np.float64)
        f = np.cos((x / T + 0.008) / (1 + 0.008) * math.pi / 2) ** 2
        fbar = f / f[0]
        return np.clip(1 - fbar[1:] / fbar[:-1], 0, 0.999)
    raise ValueError(f"unknown schedule '{kind}'; choose linear, cosine, quadratic or sigmoid")
