"""Writes Tests/DiffusionEngineTests/Fixtures/train_step_fixture.safetensors: one training step that
the Swift trainer (TrainStepFixtureTests.swift) and the PyTorch trainer (reference/tests) must both
reproduce.

    "$(scripts/python-env)" reference/make_train_fixture.py      # from the repository root

The file is itself a ddpm checkpoint (format ddpm-checkpoint-1, preset `fixture`, step 5, Adam at
step 5 with non-zero moments, an EMA apart from the weights), so both engines load the starting
state through their own checkpoint readers. Besides the checkpoint's tensors it holds:

    batch.<j>.x0, batch.<j>.t, batch.<j>.noise   the explicit micro-batches (j = 0, 1; t as float)
    expected.loss, expected.per_sample, expected.grad_norm (before clipping),
    expected.grad_norms (per parameter, after clipping, Swift order),
    expected.param.<n>, expected.ema.<n>, expected.adam.m.<n>, expected.adam.v.<n>   after the step
    case.<c>.loss, .per_sample, .grad_norm, .grad_norms   the same step under other options
        (metadata case.<c>.options): other schedules, objectives, fix switches and min-SNR weights
    lr.rates   the learning rate of steps 1...12 of a run of 10 steps with a 4-step warm-up and a
        cosine decay (metadata lr.options), from the formula of `LearningRateDecay` in float64
    metrics.samples, metrics.reference, metrics.nn_rmse, metrics.swd, metrics.swd_per_level
        the milestone metrics of two small image sets (reference/metrics.py)

The expected values are computed in float64 by the plain formulas written out below (not by
reference/trainer.py), from the float32 inputs, and stored float32, so both float32 engines are
measured against the same exact answer. The output is byte-for-byte reproducible.
"""

from __future__ import annotations

import copy
from dataclasses import asdict
import json
import math
import os
import sys

import numpy as np
import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import checkpoint as ckpt  # noqa: E402
import metrics  # noqa: E402
import schedule  # noqa: E402
import unet  # noqa: E402
from options import FixSet, TrainingOptions, float_list_json, swift_json  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PATH = os.path.join(ROOT, "Tests", "DiffusionEngineTests", "Fixtures", "train_step_fixture.safetensors")
SEED = 20240607
START_STEP = 5
MICRO = 2  # accumulate
BATCH = 2

CASES = {  # name -> (schedule, objective, fixes, clip, min-SNR gamma)
    "v_cosine_l2_sqrtofsqrt": ("cosine", "v", "fwd=sqrt-of-sqrt,loss=l2", 100.0, 0.0),
    "x0_sigmoid_course": ("sigmoid", "x0", "course", 0.05, 0.0),
    "eps_quadratic_l2_sqrtatcall": ("quadratic", "epsilon", "fwd=sqrt-at-call,loss=l2", 100.0, 0.0),
    "eps_linear_minsnr5": ("linear", "epsilon", "fixed", 100.0, 5.0),
    "v_cosine_l2_minsnr5": ("cosine", "v", "loss=l2", 100.0, 5.0),
    "x0_linear_minsnr2": ("linear", "x0", "fixed", 100.0, 2.0),
}


def lr_rate(base: float, k: int, steps: int, warmup: int, decay: str) -> float:
    """`LearningRateDecay.rate` written out: linear warm-up, then constant or a cosine to 10%."""
    warm = min(1.0, k / warmup) if warmup > 0 else 1.0
    if decay == "constant":
        return base * warm
    w = min(warmup, steps - 1)
    p = min(1.0, max(0.0, (k - w) / max(1, steps - w)))
    return base * warm * (0.1 + 0.9 * (1 + math.cos(math.pi * p)) / 2)


def base_options() -> TrainingOptions:
    o = TrainingOptions()
    o.preset, o.model = "fixture", copy.deepcopy(unet.PRESETS["fixture"])
    o.batchSize, o.accumulate, o.steps, o.saveEvery = BATCH, MICRO, 10, 5
    o.learningRate, o.emaDecay, o.emaEvery, o.emaStartStep = 2e-3, 0.9, 2, 3
    o.seed, o.augment, o.sampleCount, o.milestoneSamplingSteps = 7, False, 4, 10
    o.milestoneEta = 0.0  # the options as written before milestoneEta existed (the step does not sample)
    return o


def reference_step(o: TrainingOptions, state: dict, order: list, micro: list):
    """The step in float64: loss, per-sample losses, grad norm, clipped grads, new param/ema/m/v."""
    model = unet.UNet(o.model).double()
    model.load_state_dict({n: torch.from_numpy(state["param." + n]).double() for n in order})
    bufs = {k: torch.from_numpy(v.astype(np.float32).astype(np.float64))
            for k, v in schedule.buffers(schedule.betas(o.schedule, o.timesteps)).items()}
    f = o.fixes
    losses, per_sample = [], []
    for x0, t, noise in micro:
        x0, noise, t = torch.from_numpy(x0).double(), torch.from_numpy(noise).double(), torch.from_numpy(t).long()
        sa, sb = bufs["sqrt_alphas_cumprod"][t], bufs["sqrt_one_minus_alphas_cumprod"][t]
        if f.forwardCoefficients == "sqrtAtCallTime":
            a, b = bufs["alphas_cumprod"][t].sqrt(), (1 - bufs["alphas_cumprod"][t]).sqrt()
        elif f.forwardCoefficients == "sqrtOfSqrt":
            a, b = sa.sqrt(), sb.sqrt()
        else:
            a, b = sa, sb
        xt = a[:, None, None, None] * x0 + b[:, None, None, None] * noise
        out = model(xt if f.lossInput == "xt" else x0, t.double())
        target = {"epsilon": noise, "x0": x0,
                  "v": sa[:, None, None, None] * noise - sb[:, None, None, None] * x0}[o.objective]
        err = (out - target).abs() if f.loss == "l1" else (out - target) ** 2
        per_sample += err.detach().flatten(1).mean(1).tolist()
        if o.minSNR > 0:  # min(SNR, g) / SNR | min(SNR, g) | min(SNR, g) / (SNR + 1), rounded to float32
            ac = bufs["alphas_cumprod"][t]
            snr = ac / (1 - ac)
            clipped = torch.clamp(snr, max=float(np.float32(o.minSNR)))
            w = {"epsilon": clipped / snr, "x0": clipped, "v": clipped / (snr + 1)}[o.objective]
            err = err * w.float().double()[:, None, None, None]
        (err.mean() / len(micro)).backward()
        losses.append(err.mean().item())
    named = dict(model.named_parameters())
    g = {n: named[n].grad.detach().clone() for n in order}
    norm = math.sqrt(sum((v ** 2).sum().item() for v in g.values()))
    coef = o.maxGradNorm / (norm + 1e-6)
    if coef < 1:
        g = {n: v * coef for n, v in g.items()}
    b1, b2, eps = float(np.float32(0.9)), float(np.float32(0.999)), float(np.float32(1e-8))
    k = int(state["adam_step"]) + 1
    lr = float(np.float32(o.learningRate))
    new = {}
    for n in order:
        m = b1 * state["adam.m." + n].astype(np.float64) + (1 - b1) * g[n].numpy()
        v = b2 * state["adam.v." + n].astype(np.float64) + (1 - b2) * g[n].numpy() ** 2
        p = state["param." + n].astype(np.float64) - lr / (1 - b1 ** k) * m / (np.sqrt(v) / math.sqrt(1 - b2 ** k) + eps)
        e = state["ema." + n].astype(np.float64)
        step = START_STEP + 1
        if step % o.emaEvery == 0:
            d = float(np.float32(o.emaDecay))
            e = p.copy() if step <= o.emaStartStep else d * e + (1 - d) * p
        new.update({"param." + n: p, "ema." + n: e, "adam.m." + n: m, "adam.v." + n: v})
    grad_norms = [math.sqrt((g[n] ** 2).sum().item()) for n in order]
    return float(np.mean(losses)), per_sample, norm, grad_norms, new


def f32(a) -> np.ndarray:
    return np.ascontiguousarray(np.asarray(a, dtype=np.float64).astype("<f4"))


def main(path: str = PATH):
    torch.set_num_threads(1)
    torch.use_deterministic_algorithms(True)
    torch.backends.mkldnn.enabled = False
    o = base_options()
    cfg = o.model
    torch.manual_seed(SEED)
    model = unet.UNet(cfg)
    with torch.no_grad():  # GroupNorm affines off (1, 0), as make_fixtures.py
        for mod in model.modules():
            if isinstance(mod, torch.nn.GroupNorm):
                mod.weight.add_(0.1 * torch.randn_like(mod.weight))
                mod.bias.add_(0.1 * torch.randn_like(mod.bias))
    order = unet.forward_order_names(model)
    named = dict(model.named_parameters())
    g = torch.Generator().manual_seed(SEED + 1)
    state = {"adam_step": START_STEP}
    for n in order:
        p = named[n].detach()
        state["param." + n] = f32(p)
        state["ema." + n] = f32(p + 0.02 * torch.randn(p.shape, generator=g))
        state["adam.m." + n] = f32(2e-3 * torch.randn(p.shape, generator=g))
        state["adam.v." + n] = f32((3e-3 * torch.randn(p.shape, generator=g)) ** 2 + 1e-7)
    shape = (BATCH, cfg.channels, cfg.imageSize, cfg.imageSize)
    micro = []
    for j in range(MICRO):
        x0 = f32(torch.rand(shape, generator=g) * 2 - 1)
        t = np.array([3, 999] if j == 0 else torch.randint(0, o.timesteps, (BATCH,), generator=g).tolist(), dtype=np.float32)
        noise = f32(torch.randn(shape, generator=g))
        micro.append((x0, t, noise))

    # The main case: clip at half the gradient norm, so clipping is active.
    _, _, norm, _, _ = reference_step(o, state, order, micro)
    o.maxGradNorm = float(np.float32(round(0.5 * norm, 3)))
    loss, per, norm, gnorms, new = reference_step(o, state, order, micro)

    tensors = {k: v for k, v in state.items() if k != "adam_step"}
    for j, (x0, t, noise) in enumerate(micro):
        tensors.update({f"batch.{j}.x0": x0, f"batch.{j}.t": t, f"batch.{j}.noise": noise})
    tensors.update({"expected.loss": f32([loss]), "expected.per_sample": f32(per), "expected.grad_norm": f32([norm]),
                    "expected.grad_norms": f32(gnorms)})
    tensors.update({"expected." + k: f32(v) for k, v in new.items()})
    print(f"main case: loss {loss:.6f}, grad norm {norm:.5f} (clip {o.maxGradNorm}), clipping active")

    metadata = {
        "format": ckpt.FORMAT, "options": o.to_json(), "config": swift_json(asdict(cfg)),
        "fixes": o.fixes.describe(), "step": str(START_STEP), "adam_step": str(START_STEP),
        "loss_history": float_list_json([0.9, 0.85, 0.8, 0.82, 0.78]), "generator": "reference/make_train_fixture.py",
        "torch": torch.__version__, "parameters": json.dumps(order), "cases": json.dumps(list(CASES)),
    }
    for name, (kind, objective, fixes, clip, gamma) in CASES.items():
        c = copy.deepcopy(o)
        c.schedule, c.objective, c.fixes, c.maxGradNorm, c.minSNR = kind, objective, FixSet.parse(fixes), clip, gamma
        loss, per, norm, gnorms, _ = reference_step(c, state, order, micro)
        metadata[f"case.{name}.options"] = c.to_json()
        tensors.update({f"case.{name}.loss": f32([loss]), f"case.{name}.per_sample": f32(per),
                        f"case.{name}.grad_norm": f32([norm]), f"case.{name}.grad_norms": f32(gnorms)})
        print(f"case {name}: loss {loss:.6f}, grad norm {norm:.5f}")

    lr = copy.deepcopy(o)
    lr.warmupSteps, lr.lrDecay = 4, "cosine"
    metadata["lr.options"] = lr.to_json()
    tensors["lr.rates"] = f32([lr_rate(float(np.float32(lr.learningRate)), k, lr.steps, 4, "cosine") for k in range(1, 13)])

    # Milestone metrics on two small 32x32 sets (2 pyramid levels): smooth images plus noise.
    yy, xx = np.meshgrid(np.linspace(-1, 1, 32), np.linspace(-1, 1, 32), indexing="ij")
    rs = np.random.RandomState(SEED)

    def images(n):
        out = []
        for _ in range(n):
            fx, fy, ph = rs.uniform(0.5, 3, 3), rs.uniform(0.5, 3, 3), rs.uniform(0, 6.3, 3)
            base = np.stack([np.sin(fx[c] * 3 * xx + fy[c] * 3 * yy + ph[c]) for c in range(3)])
            out.append(np.clip(0.8 * base + 0.2 * rs.randn(3, 32, 32), -1, 1))
        return f32(np.stack(out))

    samples, reference = images(3), images(5)
    nn, _, _ = metrics.nn_rmse(samples, reference)
    per_level, swd = metrics.swd(samples, reference)
    tensors.update({"metrics.samples": samples, "metrics.reference": reference, "metrics.nn_rmse": f32([nn]),
                    "metrics.swd": f32([swd]), "metrics.swd_per_level": f32(per_level)})
    print(f"metrics: nn-RMSE {nn:.6f}, SWD {swd:.4f} per level {per_level}")

    ckpt.write_safetensors(path, tensors, metadata)
    back, meta = ckpt.read_safetensors(path)
    assert set(back) == set(tensors) and meta == metadata
    print(f"{os.path.relpath(path, ROOT)}: {len(tensors)} tensors, {os.path.getsize(path)} bytes")


if __name__ == "__main__":
    main()
