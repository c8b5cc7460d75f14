"""The training step of the Swift engine in PyTorch (twin of Sources/DiffusionEngine/Training/Trainer.swift,
Optim/Adam.swift, Optim/EMA.swift, Optim/GradientClipping.swift), data-parallel when asked.

One step: for each of `accumulate` micro-batches draw indices (epoch sampler), crops and flips,
timesteps and noise; loss = p_losses, backward of loss / accumulate; then the global gradient
norm (float64 sum of squares), clipping by maxNorm / (norm + 1e-6) when that is below 1, Adam
(torch.optim.Adam's formula: bias-corrected, eps after the square root, no weight decay) and the
EMA (copied until `emaStartStep`, then ema = d ema + (1 - d) w, every `emaEvery` steps). The
float32 arithmetic follows Swift's order, constants included (beta1 is float32 0.9, ...).

Randomness: step k's draws come from a CPU `torch.Generator` seeded with mix(seed, k), the same
on every rank. `batchSize` in the options is the GLOBAL micro-batch: each micro-batch draws all
of it and rank r trains on rows r*B ..< (r+1)*B (B = batchSize / world size), so a run is the
same (to float rounding) whatever the world size and device, and a resume is exact.
"""

from __future__ import annotations

import contextlib
import math
from dataclasses import asdict, dataclass, field

import numpy as np
import torch
import torch.distributed as dist

import checkpoint as ckpt
from data import EpochSampler, TrainingSet
from diffusion import GaussianDiffusion
from metrics import _mix_int
from options import TrainingOptions, float_list_json, swift_json
from unet import UNet, forward_order_names

BUCKETS = 10
F32 = np.float32


def step_seed(seed: int, step: int, salt: int = 0) -> int:
    """A 64-bit seed for step `step` of a run (SplitMix64 mixing, as `RandomGenerator.derived`)."""
    return _mix_int((seed ^ salt) ^ _mix_int(step + 0x632BE59BD9B4E019))


class Diverged(RuntimeError):
    pass


@dataclass
class StepResult:
    step: int
    loss: float
    grad_norm: float
    per_sample: list = field(default_factory=list)  # (t, loss) of every sample of the global batch


class Trainer:
    def __init__(self, options: TrainingOptions, dataset: TrainingSet, device="cpu", world_size: int = 1, rank: int = 0):
        options.validate()
        if dataset.size != options.model.imageSize:
            raise ValueError(f"dataset: images are cropped to {dataset.size}px but the model expects {options.model.imageSize}px")
        if options.batchSize % world_size:
            raise ValueError(f"the global batch {options.batchSize} does not split over {world_size} processes")
        self.options, self.dataset = options, dataset
        self.device, self.world, self.rank = torch.device(device), world_size, rank
        torch.manual_seed(options.seed)  # the initial weights (PyTorch's default init)
        self.model = UNet(options.model).to(self.device)
        self.names = forward_order_names(self.model)  # the Swift registration order
        named = dict(self.model.named_parameters())
        self.params = [named[n] for n in self.names]
        self.diffusion = GaussianDiffusion(options.schedule, options.timesteps, options.objective, options.fixes, self.device)
        self.ema = [p.detach().clone() for p in self.params]
        self.adam_m = [torch.zeros_like(p) for p in self.params]
        self.adam_v = [torch.zeros_like(p) for p in self.params]
        self.adam_step = 0
        self.step = 0
        self.sampler = EpochSampler(dataset.count)
        self.loss_history: list = []
        self.bucket_loss = [math.nan] * BUCKETS
        self.last_grad_norm = 0.0
        self.net = self.model
        if world_size > 1:
            ids = [self.device.index] if self.device.type == "cuda" else None
            self.net = torch.nn.parallel.DistributedDataParallel(self.model, device_ids=ids)  # the UNet has no buffers

    @property
    def local_batch(self) -> int:
        return self.options.batchSize // self.world

    # MARK: the step

    def draw(self):
        """This step's micro-batches for this rank, [(x0, t, noise)], and the sampler after them."""
        o, ds = self.options, self.dataset
        g = torch.Generator().manual_seed(step_seed(o.seed, self.step))
        sampler = self.sampler.copy()
        n, lo = o.batchSize, self.rank * self.local_batch
        rows = slice(lo, lo + self.local_batch)
        shape = (n, o.model.channels, o.model.imageSize, o.model.imageSize)
        micro = []
        for _ in range(o.accumulate):
            idx = sampler.next(n, g)
            top, left, flip = ds.draw_crops(n, o.augment, g)
            t = torch.randint(0, o.timesteps, (n,), generator=g)
            noise = torch.randn(shape, generator=g)
            x0 = ds.batch(idx[rows], (top[rows], left[rows], flip[rows]))
            micro.append((x0, t[rows].to(self.device), noise[rows].to(self.device)))
        return micro, sampler

    def train_step(self) -> StepResult:
        micro, sampler = self.draw()
        r = self.train_step_on(micro)
        self.sampler = sampler
        return r

    def train_step_on(self, micro) -> StepResult:
        """One optimizer step on explicit micro-batches [(x0, t, noise)] of this rank (the loss
        of each is scaled by 1/len(micro)). Raises `Diverged` (weights untouched) on a NaN loss or
        gradient norm."""
        for p in self.params:
            p.grad = None
        scale = 1.0 / len(micro)
        loss_sum, per_sample = F32(0), []
        for j, (x0, t, noise) in enumerate(micro):
            sync = self.world == 1 or j == len(micro) - 1
            with contextlib.nullcontext() if sync else self.net.no_sync():
                loss, per, w = self.diffusion.p_losses(self.net, x0, t, noise, float(self.options.minSNR))
                (loss * scale).backward()
            per, ts, w = self.gather(per), self.gather(t), self.gather(w)
            loss_sum = F32(loss_sum + F32((per * w).mean().item()))
            per_sample += list(zip(ts.tolist(), per.tolist()))
        loss = F32(loss_sum / F32(len(micro)))
        if not math.isfinite(loss):
            self.zero_grads()
            raise Diverged(f"training: the loss became {loss} at step {self.step + 1}; weights were not updated — lower --lr or check the data")
        grads = [p.grad for p in self.params]
        norm = F32(torch.stack([(g.double() ** 2).sum() for g in grads]).sum().sqrt().item())
        if not math.isfinite(norm):
            self.zero_grads()
            raise Diverged(f"training: the gradient norm became {norm} at step {self.step + 1}; weights were not updated — lower --lr")
        coef = F32(F32(self.options.maxGradNorm) / F32(norm + F32(1e-6)))
        with torch.no_grad():
            if coef < 1:
                torch._foreach_mul_(grads, float(coef))
            self.adam_update(grads)
            self.step += 1
            self.ema_update()
        self.last_grad_norm = float(norm)
        self.loss_history.append(float(loss))
        self.record_buckets(per_sample)
        return StepResult(self.step, float(loss), float(norm), per_sample)

    def gather(self, x: torch.Tensor) -> torch.Tensor:
        """This micro-batch's per-sample values of every rank, in global batch order (CPU)."""
        if self.world == 1:
            return x.detach().cpu()
        parts = [torch.empty_like(x) for _ in range(self.world)]
        dist.all_gather(parts, x.detach().contiguous())
        return torch.cat(parts).cpu()

    def zero_grads(self):
        for p in self.params:
            p.grad = None

    def adam_update(self, grads):
        """Adam.update: m = b1 m + (1-b1) g; v = b2 v + (1-b2) g g; p -= (lr/bc1) m / (sqrt(v)/sqrt(bc2) + eps)."""
        self.adam_step += 1
        b1, b2, eps, lr = F32(0.9), F32(0.999), F32(1e-8), self.options.learning_rate_at(self.adam_step)
        bc1 = F32(1) - F32(float(b1) ** self.adam_step)
        bc2_sqrt = F32(math.sqrt(1 - float(b2) ** self.adam_step))
        step_size = float(F32(lr / bc1))
        m, v = self.adam_m, self.adam_v
        torch._foreach_mul_(m, float(b1))
        torch._foreach_add_(m, torch._foreach_mul(grads, float(F32(1) - b1)))
        torch._foreach_mul_(v, float(b2))
        torch._foreach_add_(v, torch._foreach_mul(torch._foreach_mul(grads, float(F32(1) - b2)), grads))
        denom = torch._foreach_sqrt(v)
        torch._foreach_div_(denom, float(bc2_sqrt))
        torch._foreach_add_(denom, float(eps))
        upd = torch._foreach_mul(m, step_size)
        torch._foreach_div_(upd, denom)
        torch._foreach_sub_(self.params, upd)

    def ema_update(self):
        """EMA.update after optimizer step `step` (1-based)."""
        o = self.options
        if self.step % max(1, o.emaEvery):
            return
        w = [p.detach() for p in self.params]
        if self.step <= o.emaStartStep:
            torch._foreach_copy_(self.ema, w)
            return
        d = F32(o.emaDecay)
        torch._foreach_mul_(self.ema, float(d))
        torch._foreach_add_(self.ema, torch._foreach_mul(w, float(F32(1) - d)))

    def record_buckets(self, per_sample):
        """Running mean (0.98) of the loss per timestep bucket, in float32 as Swift."""
        T = self.options.timesteps
        for t, l in per_sample:
            b = min(BUCKETS - 1, t * BUCKETS // T)
            old = self.bucket_loss[b]
            self.bucket_loss[b] = float(F32(l)) if math.isnan(old) else float(F32(F32(0.98) * F32(old) + F32(0.02) * F32(l)))

    # MARK: EMA model and checkpoints

    def ema_model(self) -> UNet:
        """A UNet holding a copy of the EMA weights (what milestones sample with)."""
        m = UNet(self.options.model).to(self.device)
        named = dict(m.named_parameters())
        with torch.no_grad():
            for n, e in zip(self.names, self.ema):
                named[n].copy_(e)
        return m.eval()

    def checkpoint_parts(self, extra_metadata: dict | None = None):
        """(tensors, metadata) of the whole training state, as Swift's `checkpointFile()`."""
        tensors = {}
        for prefix, arena in zip(ckpt.PREFIXES, (self.params, self.ema, self.adam_m, self.adam_v)):
            for n, t in zip(self.names, arena):
                tensors[prefix + n] = t.detach().cpu().numpy()

        def finite(values):
            return [v if math.isfinite(v) else -1.0 for v in values]

        o = self.options
        metadata = {
            "format": ckpt.FORMAT, "options": o.to_json(), "config": swift_json(asdict(o.model)),
            "fixes": o.fixes.describe(), "step": str(self.step), "adam_step": str(self.adam_step),
            "sampler": self.sampler.to_json(), "loss_history": float_list_json(finite(self.loss_history)),
            "bucket_loss": float_list_json(finite(self.bucket_loss)),
            "writer": "pytorch", "world_size": str(self.world), "torch": torch.__version__,
        }
        metadata.update(extra_metadata or {})
        return tensors, metadata

    def save_checkpoint(self, path: str):
        tensors, metadata = self.checkpoint_parts()
        ckpt.write_safetensors(path, tensors, metadata)

    @staticmethod
    def resume(path: str, dataset: TrainingSet, steps: int | None = None, **kw) -> "Trainer":
        """A trainer restored from a checkpoint written by either engine (weights, EMA, Adam,
        step, data order, loss history); `steps` raises the planned total."""
        c = ckpt.Loaded(path)
        o = c.options
        if steps is not None:
            o.steps = steps
        tr = Trainer(o, dataset, **kw)
        fams = {p: c.family(p) for p in ckpt.PREFIXES if p == "param." or c.has(p)}
        params = fams["param."]
        with torch.no_grad():
            for arena, prefix, fallback in ((tr.params, "param.", params), (tr.ema, "ema.", params),
                                            (tr.adam_m, "adam.m.", None), (tr.adam_v, "adam.v.", None)):
                src = fams.get(prefix, fallback)
                if src is None:
                    raise KeyError(f"checkpoint {path}: no {prefix} tensors; it cannot be resumed")
                for n, t in zip(tr.names, arena):
                    t.copy_(torch.from_numpy(np.array(src[n])))
        tr.step, tr.adam_step = c.step, c.adam_step
        s = c.metadata.get("sampler")
        if s:
            smp = EpochSampler.from_json(s)
            if smp.count != dataset.count:
                raise ValueError(f"checkpoint {path}: it was trained on {smp.count} images, this dataset has {dataset.count}; use the same --data")
            tr.sampler = smp
        tr.loss_history = [math.nan if v < 0 else float(F32(v)) for v in c.json("loss_history", [])]
        b = c.json("bucket_loss", [])
        if len(b) == BUCKETS:
            tr.bucket_loss = [math.nan if v < 0 else float(F32(v)) for v in b]
        return tr
