"""The DDPM of the Swift engine in PyTorch: schedules, objectives, every fix switch, the training
loss and the DDPM/DDIM reverse steps (twin of Sources/DiffusionEngine/Diffusion/GaussianDiffusion*.swift,
ReverseChain.swift).

Timesteps are 0-based as in the course code: t = 0..<T. Buffers are computed in float64
(`schedule.py`) and stored float32, as Swift stores them; every formula keeps Swift's order of
float32 operations where that is cheap, so the two engines agree to float32 rounding.

Dimension letters: N batch, C channels, H height, W width.
"""

from __future__ import annotations

import numpy as np
import torch

import schedule as schedule_mod
from options import FixSet


def _b(v: torch.Tensor) -> torch.Tensor:
    """(N,) -> (N, 1, 1, 1), to broadcast a per-sample coefficient over C, H, W."""
    return v[:, None, None, None]


class GaussianDiffusion:
    def __init__(self, kind: str, timesteps: int, objective: str = "epsilon", fixes: FixSet | None = None,
                 device="cpu", beta_start: float = 1e-4, beta_end: float = 0.02):
        self.kind, self.T, self.objective = kind, timesteps, objective
        self.fixes = fixes or FixSet()
        self.device = torch.device(device)
        bufs = schedule_mod.buffers(schedule_mod.betas(kind, timesteps, beta_start, beta_end))
        # float32 copies, as Swift's `[Float]` buffers; the float64 originals stay available.
        self.f64 = bufs
        self.buf = {k: torch.tensor(v.astype(np.float32), device=self.device) for k, v in bufs.items()}

    def extract(self, name: str, t: torch.Tensor) -> torch.Tensor:
        """The course's `extract`: buffer[t] per sample, (N,)."""
        return self.buf[name][t]

    # MARK: forward process

    def forward_coefficients(self, t: torch.Tensor):
        """(signal, noise) per sample under the FIX 1 switch `fwd`, each (N,)."""
        mode = self.fixes.forwardCoefficients
        if mode == "precomputed":
            return self.extract("sqrt_alphas_cumprod", t), self.extract("sqrt_one_minus_alphas_cumprod", t)
        if mode == "sqrtAtCallTime":  # the course's extract(alphas_cumprod).sqrt(), in float32
            ac = self.extract("alphas_cumprod", t)
            return ac.sqrt(), (1 - ac).sqrt()
        if mode == "sqrtOfSqrt":  # sqrt of the sqrt buffers: a 4th root
            return self.extract("sqrt_alphas_cumprod", t).sqrt(), self.extract("sqrt_one_minus_alphas_cumprod", t).sqrt()
        raise ValueError(f"unknown forward coefficients {mode}")

    def q_sample(self, x0, t, noise):
        """x_t = signal(t) x0 + noise(t) eps: (N,C,H,W)."""
        a, b = self.forward_coefficients(t)
        return _b(a) * x0 + _b(b) * noise

    def interpret(self, objective: str, out, xt, a, b):
        """(x0_hat, eps_hat) implied by a model output; a = sqrt(ac), b = sqrt(1-ac), (N,)."""
        a, b = _b(a), _b(b)
        if objective == "epsilon":
            return (xt - b * out) / a, out
        if objective == "x0":
            return out, (xt - a * out) / b
        if objective == "v":
            return a * xt - b * out, b * xt + a * out
        raise ValueError(f"unknown objective {objective}")

    # MARK: training loss

    def p_losses(self, model, x0, t, noise, min_snr: float = 0.0):
        """The training loss at timesteps t (`pLosses`).

            x_t = q_sample(x0, t, eps); input = x_t, or x0 under `input=x0` (OPT 2)
            target = eps | x0 | v = sqrt(ac) eps - sqrt(1-ac) x0 (precomputed buffers)
            loss = mean |out - target| (l1) or mean (out - target)^2 (l2)

        With min_snr > 0 each sample's terms are weighted by `min_snr_weights`.
        Returns (loss, per_sample, weights): the loss to backpropagate (a 0-d tensor, mean over
        N*C*H*W of the weighted terms), each sample's unweighted loss (mean over C*H*W, float64,
        detached), (N,), and the weights (float64, (N,), ones when unweighted).
        """
        xt = self.q_sample(x0, t, noise)
        inp = xt if self.fixes.lossInput == "xt" else x0
        out = model(inp, t.to(torch.float32))
        if self.objective == "epsilon":
            target = noise
        elif self.objective == "x0":
            target = x0
        else:
            a, b = self.extract("sqrt_alphas_cumprod", t), self.extract("sqrt_one_minus_alphas_cumprod", t)
            target = _b(a) * noise - _b(b) * x0
        d = out - target
        err = d.abs() if self.fixes.loss == "l1" else d * d
        per_sample = err.detach().double().flatten(1).mean(1)
        if min_snr <= 0:
            return err.mean(), per_sample, torch.ones_like(per_sample)
        w = self.min_snr_weights(t, min_snr)
        return (err * _b(w.to(err.dtype))).mean(), per_sample, w

    def min_snr_weights(self, t, gamma: float):
        """`minSNRWeights`: SNR = ac / (1 - ac) in float64 from the float32 buffer; min(SNR, g)
        divided by SNR (epsilon), by 1 (x0) or by SNR + 1 (v); rounded to float32."""
        ac = self.extract("alphas_cumprod", t).double()
        snr = ac / torch.clamp(1 - ac, min=1e-20)
        clipped = torch.clamp(snr, max=float(np.float32(gamma)))
        w = {"epsilon": clipped / snr, "x0": clipped, "v": clipped / (snr + 1)}[self.objective]
        return w.float().double()

    # MARK: reverse steps

    def p_sample(self, model, x, t: int, z):
        """One DDPM ancestral step (Algorithm 2) honouring t0, extract, clip and var."""
        n = x.shape[0]
        tb = torch.full((n,), t, dtype=torch.long, device=x.device)
        out = model(x, tb.to(torch.float32))
        f = self.fixes
        use_beta = f.reverseVariance == "beta"
        if f.extraction == "allNine":  # the course's 3 unused extractions (OPT 1): same numbers, more work
            self.extract("alphas_cumprod", tb)
            self.extract("alphas_cumprod_prev", tb)
            betas_t = self.extract("betas", tb)
        b = self.extract("sqrt_one_minus_alphas_cumprod", tb)
        a = self.extract("sqrt_alphas_cumprod", tb)
        c1 = self.extract("posterior_mean_coef1", tb)
        c2 = self.extract("posterior_mean_coef2", tb)
        if f.extraction == "allNine":
            pv = self.extract("posterior_variance", tb)
            var = betas_t if use_beta else pv
        else:
            var = self.extract("betas" if use_beta else "posterior_variance", tb)
        x0, _ = self.interpret(self.objective, out, x, a, b)
        if f.clipXRecon:
            x0 = x0.clamp(-1, 1)
        mean = _b(c1) * x0 + _b(c2) * x
        if t > 0:
            return mean + _b(var.sqrt()) * z
        return mean if f.finalStep == "posteriorMean" else x0

    def ddim_step(self, model, x, t: int, t_prev: int, eta: float, z):
        """One DDIM step from t to t_prev (-1: to x0), Song et al. eq. 12 (`ddimStep`)."""
        n = x.shape[0]
        out = model(x, torch.full((n,), float(t), device=x.device))
        a = self.buf["sqrt_alphas_cumprod"][t].expand(n)
        b = self.buf["sqrt_one_minus_alphas_cumprod"][t].expand(n)
        x0, eps = self.interpret(self.objective, out, x, a, b)
        if self.fixes.clipXRecon:
            x0 = x0.clamp(-1, 1)
            eps = (x - _b(a) * x0) / _b(b)
        if t_prev < 0:
            return x0
        ac = float(self.buf["alphas_cumprod"][t])  # float32 buffer values, sigma in float64
        ac_prev = float(self.buf["alphas_cumprod"][t_prev])
        sig = eta * ((1 - ac_prev) / (1 - ac) * (1 - ac / ac_prev)) ** 0.5
        c_signal = self.buf["sqrt_alphas_cumprod"][t_prev]
        c_noise = float(np.float32(max(0.0, 1 - ac_prev - sig * sig) ** 0.5))
        return c_signal * x0 + c_noise * eps + float(np.float32(sig)) * z

    @staticmethod
    def step_pairs(T: int, ddim_steps: int | None):
        """(t, t_prev) pairs, first step first: every t for DDPM (ddim_steps None), else
        trunc(linspace(-1, T-1, steps+1)) reversed (`Sampler.stepPairs`)."""
        if ddim_steps is None:
            return [(t, t - 1) for t in reversed(range(T))]
        if not 1 <= ddim_steps <= T:
            raise ValueError(f"DDIM: {ddim_steps} steps is outside 1...{T}")
        times = [int(-1 + T * i / ddim_steps) for i in range(ddim_steps + 1)]  # int() truncates toward zero
        return [(times[i + 1], times[i]) for i in reversed(range(ddim_steps))]

    @torch.no_grad()
    def sample(self, model, shape, generator: torch.Generator, ddim_steps: int | None = None, eta: float = 0.0):
        """A whole reverse chain from x_T ~ N(0, I) (`ReverseChain`): x_T is the first draw, then
        every step draws one normal tensor of x's shape, used or not. Noise comes from a CPU
        generator, so a chain is the same on every device."""
        dev = self.device
        x = torch.randn(shape, generator=generator).to(dev)
        for t, t_prev in self.step_pairs(self.T, ddim_steps):
            z = torch.randn(shape, generator=generator).to(dev)
            if ddim_steps is None:
                x = self.p_sample(model, x, t, z)
            else:
                x = self.ddim_step(model, x, t, t_prev, eta, z)
        return x

    @staticmethod
    def sampler_description(ddim_steps: int | None, eta: float = 0.0) -> str:
        """`Sampler.description`: `ddpm` or `ddim(steps=K, eta=E)` (E as Swift prints a Float)."""
        return "ddpm" if ddim_steps is None else f"ddim(steps={ddim_steps}, eta={float(np.float32(eta))!r})"
