"""A training run with its files, as Swift's `TrainingSession` and `RunFolder` write them:

    <out>/checkpoint.safetensors      the newest checkpoint (atomically replaced)
    <out>/samples/step-000100.png     the EMA model's sample grid at each milestone, step-final.png
    <out>/metrics.jsonl               one JSON object per line, keys sorted, appended and flushed

metrics.jsonl lines are Swift's: per step {step, loss, grad_norm, lr, images_per_s, wall_time,
step_seconds, loss_by_t_bucket}; events {step, event: checkpoint, path}, {step, event: milestone
| final, samples, sampler, nn_rmse, swd, swd_per_level, sampling_seconds, metrics_seconds},
{step, event: diverged, message}.
Its first line, as docs/run-folder.md specifies: {event: start (a new run) or resume (with
checkpoint: the path resumed from), step, writer: pytorch, world_size, device, options (the run's
TrainingOptions), wall_time}, plus per_rank_batch and torch. Non-finite numbers are written as
null; paths are written as given (no escaped slashes).

Every `saveEvery` steps (not at the last step): checkpoint, grid (DDIM with `sample_steps` steps,
eta `milestoneEta`, on the EMA weights, x_T from mix(seed ^ 0x5EED, step)), nn-RMSE and SWD against the
centre-cropped training set (`metrics.MilestoneReference`, made at the first milestone). At the
end, or on SIGINT/SIGTERM after the step in flight: the final checkpoint and grid. Only rank 0 writes files; the other ranks wait.
"""

from __future__ import annotations

import io
import json
import math
import os
import signal
import time

import numpy as np
import torch
import torch.distributed as dist
from PIL import Image

import checkpoint as ckpt
import metrics
from trainer import Diverged, Trainer, step_seed


class RunFolder:
    def __init__(self, path: str, create: bool = True):
        self.path = path
        if create:
            os.makedirs(os.path.join(path, "samples"), exist_ok=True)

    @property
    def checkpoint(self) -> str:
        return self.path + "/checkpoint.safetensors"

    @property
    def metrics(self) -> str:
        return self.path + "/metrics.jsonl"

    def samples(self, step: int) -> str:
        return self.path + f"/samples/step-{step:06d}.png"

    @property
    def final_samples(self) -> str:
        return self.path + "/samples/step-final.png"


def json_safe(v):
    if isinstance(v, float):
        return v if math.isfinite(v) else None
    if isinstance(v, (list, tuple)):
        return [json_safe(x) for x in v]
    if isinstance(v, dict):
        return {k: json_safe(x) for k, x in v.items()}
    return v


class MetricsLog:
    """Appends one sorted-key JSON object per line, flushed as written."""

    def __init__(self, path: str | None):
        self.f = open(path, "a", encoding="utf-8") if path else None

    def append(self, record: dict):
        if self.f:
            self.f.write(json.dumps(json_safe(record), sort_keys=True, separators=(",", ":"), ensure_ascii=False) + "\n")
            self.f.flush()

    def close(self):
        if self.f:
            self.f.close()


def grid_png(x: torch.Tensor, padding: int = 2) -> bytes:
    """A torchvision-style grid (ceil(sqrt(n)) columns, 2-pixel black padding) of (N,3,H,W) or
    grey (N,1,H,W) images in [-1, 1], as RGB PNG bytes (`TensorImages.writeGrid`)."""
    imgs = ((x.detach().float().cpu() + 1) / 2).clamp(0, 1)
    imgs = imgs.expand(-1, 3, -1, -1).numpy() if imgs.shape[1] == 1 else imgs.numpy()
    n, c, h, w = imgs.shape
    cols = min(max(1, math.ceil(math.sqrt(n))), n)
    rows = (n + cols - 1) // cols
    grid = np.zeros((c, rows * (h + padding) + padding, cols * (w + padding) + padding), np.float32)
    for k in range(n):
        y, x0 = (k // cols) * (h + padding) + padding, (k % cols) * (w + padding) + padding
        grid[:, y:y + h, x0:x0 + w] = imgs[k]
    buf = io.BytesIO()
    Image.fromarray(np.rint(grid.transpose(1, 2, 0) * 255).astype(np.uint8)).save(buf, format="PNG")
    return buf.getvalue()


class StopFlag:
    """SIGINT/SIGTERM finish the step in flight, then save; a second signal quits at once."""

    def __init__(self):
        self.signal = None

    def install(self):
        def handler(sig, _frame):
            if self.signal is not None:
                raise KeyboardInterrupt
            self.signal = sig

        for s in (signal.SIGINT, signal.SIGTERM):
            signal.signal(s, handler)


class Session:
    def __init__(self, trainer: Trainer, out: str, log_every: int = 50, describe: dict | None = None,
                 resumed_from: str | None = None, quiet: bool = False):
        self.trainer, self.rank = trainer, trainer.rank
        self.writer = self.rank == 0
        self.folder = RunFolder(out, create=self.writer)
        self.log = MetricsLog(self.folder.metrics if self.writer else None)
        self.log_every, self.quiet = log_every, quiet or not self.writer
        self.stop = StopFlag()
        self.reference = None  # metrics.MilestoneReference of the centre-cropped data set, made once
        self.last_checkpoint_step = None
        start = {"event": "resume" if resumed_from else "start", "step": trainer.step, "writer": "pytorch",
                 "world_size": trainer.world, "device": trainer.device.type, "per_rank_batch": trainer.local_batch,
                 "torch": torch.__version__, "wall_time": time.time(),
                 "options": json.loads(trainer.options.to_json())}
        if resumed_from:
            start["checkpoint"] = resumed_from
        start.update(describe or {})
        self.log.append(start)

    def say(self, text: str):
        if not self.quiet:
            print(text, flush=True)

    def stop_requested(self) -> bool:
        flag = torch.tensor([1 if self.stop.signal is not None else 0])
        if self.trainer.world > 1:
            flag = flag.to(self.trainer.device)
            dist.all_reduce(flag)
        return bool(flag.item())

    def run(self) -> str:
        """Trains to `steps`; returns "finished", "stopped" or "diverged"."""
        tr, o = self.trainer, self.trainer.options
        recent = []
        while tr.step < o.steps:
            if self.stop_requested():
                break
            t0 = time.perf_counter()
            try:
                r = tr.train_step()
            except Diverged as e:
                self.log.append({"step": tr.step + 1, "event": "diverged", "message": str(e)})
                self.say(str(e))
                return "diverged"
            dt = time.perf_counter() - t0
            recent = (recent + [dt])[-20:]
            ips = o.batchSize * o.accumulate * len(recent) / max(sum(recent), 1e-9)
            self.log.append({"step": r.step, "loss": r.loss, "grad_norm": r.grad_norm, "lr": float(o.learning_rate_at(r.step)),
                             "images_per_s": ips, "wall_time": time.time(), "step_seconds": dt,
                             "loss_by_t_bucket": list(tr.bucket_loss)})
            if r.step % self.log_every == 0 or r.step == o.steps or r.step == 1:
                self.say(f"step {r.step}/{o.steps}  loss {r.loss:.4f}  grad norm {r.grad_norm:.3f}  {ips:.1f} img/s")
            if r.step % o.saveEvery == 0 and r.step < o.steps:
                self.milestone(final=False)
        self.milestone(final=True)
        self.log.close()
        return "finished" if tr.step >= o.steps else "stopped"

    def save_checkpoint(self):
        if self.writer:
            self.trainer.save_checkpoint(self.folder.checkpoint)
            self.log.append({"step": self.trainer.step, "event": "checkpoint", "path": self.folder.checkpoint})
            self.last_checkpoint_step = self.trainer.step

    def milestone(self, final: bool):
        """Checkpoint, EMA sample grid and metrics (rank 0); the other ranks wait for it."""
        tr, o = self.trainer, self.trainer.options
        if self.writer:
            t0 = time.monotonic()
            self.save_checkpoint()
            ddim = o.milestoneSamplingSteps if 0 < o.milestoneSamplingSteps < o.timesteps else None
            g = torch.Generator().manual_seed(step_seed(o.seed, tr.step, salt=0x5EED))
            shape = (o.sampleCount, o.model.channels, o.model.imageSize, o.model.imageSize)
            x = tr.diffusion.sample(tr.ema_model(), shape, g, ddim_steps=ddim, eta=float(o.milestoneEta))
            path = self.folder.final_samples if final else self.folder.samples(tr.step)
            ckpt.atomic_write(path, [grid_png(x)])
            t1 = time.monotonic()
            xs = x.detach().float().cpu().numpy()
            if self.reference is None:
                self.reference = metrics.MilestoneReference(tr.dataset.centre_crops().float().cpu().numpy())
            nn, per_level, swd = self.reference.measure(xs)
            self.log.append({"step": tr.step, "event": "final" if final else "milestone", "samples": path,
                             "sampler": tr.diffusion.sampler_description(ddim, o.milestoneEta), "nn_rmse": nn, "swd": swd,
                             "swd_per_level": per_level, "sampling_seconds": t1 - t0,
                             "metrics_seconds": time.monotonic() - t1})
            self.say(f"step {tr.step}{' (final)' if final else ''}: checkpoint {self.folder.checkpoint}, samples {path}, "
                     f"nn-RMSE {nn:.3f}, SWD {swd:.0f}")
        if tr.world > 1:
            dist.barrier()
