"""The PyTorch trainer, twin of `ddpm train`: same flags, same defaults, same run folder.

    "$(scripts/python-env)" reference/train.py --data DIR [flags]          # one process
    torchrun --nproc_per_node=N reference/train.py --data DIR [flags]      # data-parallel (DDP)

Flags are `ddpm train`'s (--data --class --preset --model --steps --batch --lr --accumulate
--save-every --seed --timesteps --schedule --objective --fixes --ema-decay --clip --samples
--sample-steps --augment/--no-augment --resume --out) with its defaults (the course's); `--recipe
workbench` starts from the workbench's defaults instead (tiny, batch 16, accumulate 1, 4000 steps,
save every 500, EMA every step from step 100). `--batch` is per process: the global batch is
N x --batch, and the checkpoint's options store the global batch (so `ddpm train --resume`
continues with the same batch). Under torchrun the device is cuda:LOCAL_RANK with NCCL when CUDA
is available, else the CPU with gloo; `--device cpu` forces the CPU.

Exit codes as `ddpm train`: 0 finished, 130 SIGINT, 143 SIGTERM, 1 error or diverged loss.
"""

from __future__ import annotations

import argparse
import copy
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
# Idle OpenMP threads sleep instead of spinning: on a shared CPU, spinning threads made a step
# 5x slower (measured: 2 threads, batch 32, tiny, 4.8 s/step spinning, 0.88 s passive).
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

import torch  # noqa: E402
import torch.distributed as dist  # noqa: E402

import checkpoint as ckpt  # noqa: E402
from data import TrainingSet, load_folder  # noqa: E402
from options import AUGMENT_JSON, FixSet, TrainingOptions, model_changes  # noqa: E402
from session import Session  # noqa: E402
from trainer import Trainer  # noqa: E402
from unet import PRESETS  # noqa: E402

OPTION_FLAGS = ["preset", "model", "batch", "lr", "accumulate", "save_every", "seed", "timesteps", "schedule",
                "objective", "fixes", "ema_decay", "clip", "samples", "sample_steps", "sample_eta", "warmup", "lr_decay", "min_snr",
                "augment", "no_augment"]


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="train.py", description="Train a DDPM (the PyTorch twin of `ddpm train`).")
    a = p.add_argument
    a("--data", metavar="dir", help="a folder of PNG/JPEG images, searched recursively (required: export the built-in faces as PNGs to use them)")
    a("--class", dest="class_name", metavar="name", help="keep only images below a sub-folder with this name")
    a("--recipe", choices=["train", "workbench"], default="train", help="the defaults: `ddpm train`'s (train) or the workbench's")
    a("--preset", metavar="name", help="model size: tiny, course, tiny64, course64 (or fixture, for tests)")
    a("--model", metavar="changes", help="changes to the preset's UNet: image-size, channels (1 or 3), dim, mults (1-2-2), res-blocks, attention (16-8 or none), heads, head-dim, groups")
    a("--steps", type=int, metavar="n", help="optimizer steps to train; with --resume, a new total")
    a("--batch", type=int, metavar="n", help="images per micro-batch and process (global batch = processes x n)")
    a("--lr", type=float, metavar="x", help="Adam learning rate")
    a("--accumulate", type=int, metavar="n", help="micro-batches accumulated per step")
    a("--save-every", type=int, metavar="n", help="checkpoint, sample grid and quality metrics every n steps")
    a("--seed", type=int, metavar="n", help="seed of the initialisation, data order and noise")
    a("--timesteps", type=int, metavar="T", help="diffusion steps T")
    a("--schedule", metavar="kind", help="noise schedule: linear, cosine, quadratic, sigmoid")
    a("--objective", metavar="name", help="what the model predicts: epsilon, x0 or v")
    a("--fixes", metavar="fixset", help="fix switches, e.g. course,t0=mean or fwd=sqrt-of-sqrt,loss=l2")
    a("--ema-decay", type=float, metavar="x", help="EMA decay of the sampling weights")
    a("--clip", type=float, metavar="x", help="gradient-norm clipping threshold")
    a("--samples", type=int, metavar="n", help="images in each milestone sample grid")
    a("--sample-steps", type=int, metavar="n", help="DDIM steps for milestone grids; 0 = full DDPM")
    a("--sample-eta", type=float, metavar="e", help="DDIM eta of milestone grids: 1 ancestral, 0 deterministic")
    a("--warmup", type=int, metavar="n", help="learning-rate warm-up: steps from 0 up to --lr")
    a("--lr-decay", metavar="kind", help="the learning rate after the warm-up: constant, or cosine (down to 10%% at the last step)")
    a("--min-snr", type=float, metavar="g", help="min-SNR-gamma loss weighting (e.g. 5); 0 = off")
    a("--augment", metavar="mode", help="off, flip (a random mirror) or crop-flip (a random crop and mirror; the default)")
    a("--no-augment", action="store_true", default=None, help="--augment off")
    a("--resume", metavar="checkpoint", help="continue from a checkpoint of either engine (only --steps may change)")
    a("--out", metavar="dir", help="run folder (default runs/<timestamp>; with --resume, the checkpoint's folder)")
    a("--log-every", type=int, default=50, metavar="n", help="print a progress line every n steps")
    a("--device", choices=["auto", "cpu", "cuda"], default="auto", help="where to train (auto: CUDA when available)")
    a("--threads", type=int, default=0, metavar="n", help="CPU threads per process (default: $OMP_NUM_THREADS, else cores / processes)")
    return p


def options_from(args, world: int) -> TrainingOptions:
    """The options the flags give on top of the recipe's defaults (`TrainingOverrides.apply`)."""
    base = TrainingOptions.workbench() if args.recipe == "workbench" else TrainingOptions()
    o = base
    if args.preset is not None:
        if args.preset.lower() not in PRESETS:
            raise ValueError(f"--preset: unknown preset '{args.preset}'; choose tiny, course, tiny64 or course64 (or fixture, for tests)")
        o.preset, o.model = args.preset.lower(), copy.deepcopy(PRESETS[args.preset.lower()])
    if args.model is not None:
        o.model = model_changes(args.model, o.model)
    for flag, name in (("steps", "steps"), ("accumulate", "accumulate"), ("save_every", "saveEvery"), ("seed", "seed"),
                       ("timesteps", "timesteps"), ("samples", "sampleCount"), ("warmup", "warmupSteps"),
                       ("min_snr", "minSNR"), ("sample_eta", "milestoneEta")):
        if getattr(args, flag) is not None:
            setattr(o, name, getattr(args, flag))
    if args.batch is not None:
        o.batchSize = args.batch
    o.batchSize *= world  # the checkpoint stores the global batch
    if args.lr is not None:
        o.learningRate = args.lr
    if args.lr_decay is not None:
        o.lrDecay = args.lr_decay.lower()
    if args.augment is not None and args.no_augment:
        raise ValueError("--no-augment: give --augment MODE or --no-augment, not both")
    if args.augment is not None:
        if args.augment.lower() not in AUGMENT_JSON:
            raise ValueError(f"--augment: unknown augmentation '{args.augment}'; choose off, flip or crop-flip")
        o.augment = AUGMENT_JSON[args.augment.lower()]
    if args.no_augment:
        o.augment = False
    if args.schedule is not None:
        o.schedule = args.schedule.lower()
    if args.objective is not None:
        n = args.objective.lower()
        o.objective = "epsilon" if n in ("eps", "noise") else n
    if args.fixes is not None:
        o.fixes = FixSet.parse(args.fixes, base.fixes)
    if args.ema_decay is not None:
        o.emaDecay = args.ema_decay
    if args.clip is not None:
        o.maxGradNorm = args.clip
    if args.sample_steps is not None:
        o.milestoneSamplingSteps = args.sample_steps
    o.validate()
    return o


def setup_distributed(choice: str, threads: int = 0):
    """(world, rank, device, backend): torchrun's environment, or one process."""
    cuda = torch.cuda.is_available() and choice != "cpu"
    if choice == "cuda" and not torch.cuda.is_available():
        raise ValueError("--device cuda: no CUDA device is available")
    world = int(os.environ.get("WORLD_SIZE", "1"))
    rank, local = int(os.environ.get("RANK", "0")), int(os.environ.get("LOCAL_RANK", "0"))
    device = torch.device(f"cuda:{local}" if cuda else "cpu")
    if cuda:
        torch.cuda.set_device(device)
    elif threads > 0:
        torch.set_num_threads(threads)
    elif "OMP_NUM_THREADS" not in os.environ:
        local_world = int(os.environ.get("LOCAL_WORLD_SIZE", "1"))
        torch.set_num_threads(max(1, (os.cpu_count() or 1) // local_world))
    backend = None
    if world > 1:
        backend = "nccl" if cuda else "gloo"
        dist.init_process_group(backend=backend, device_id=device if cuda else None)
    return world, rank, device, backend


def main(argv=None) -> int:
    args = parser().parse_args(argv)
    try:
        world, rank, device, backend = setup_distributed(args.device, args.threads)
    except ValueError as e:
        print(f"error: {e}", file=sys.stderr)
        return 1
    say = print if rank == 0 else (lambda *a, **k: None)
    try:
        if args.class_name and not args.data:
            raise ValueError("--class: needs --data DIR")
        if not args.data:
            raise ValueError("--data DIR is required: this trainer has no built-in faces (export them as PNGs and pass the folder)")
        if args.log_every < 1:
            raise ValueError(f"--log-every {args.log_every}: must be at least 1")
        if args.resume:
            c = ckpt.Loaded(args.resume)
            o = c.options
            if args.steps is not None:
                if args.steps <= c.step:
                    raise ValueError(f"--steps {args.steps}: the checkpoint is already at step {c.step}; pass a larger --steps to train further")
            elif c.step >= o.steps:
                raise ValueError(f"--resume: {args.resume} already finished its {o.steps} steps; pass --steps N (more than {c.step}) to train further")
            ignored = [f"--{f.replace('_', '-')}" for f in OPTION_FLAGS if getattr(args, f) is not None]
            if ignored:
                say(f"warning: {', '.join(ignored)} ignored with --resume: the run keeps the checkpoint's options")
            out = args.out or (os.path.dirname(args.resume) or ".")
            size = o.model.imageSize
        else:
            o = options_from(args, world)
            out = args.out or time.strftime("runs/%Y%m%d-%H%M%S")
            if os.path.exists(out + "/checkpoint.safetensors"):
                raise ValueError(f"--out {out}: already holds a checkpoint; continue it with --resume {out}/checkpoint.safetensors, or pick another --out")
            size = o.model.imageSize
        images, names = load_folder(args.data, size, args.class_name, channels=o.model.channels)
        data = TrainingSet(images.to(device), size, names)
        if args.resume:
            trainer = Trainer.resume(args.resume, data, steps=args.steps, device=device, world_size=world, rank=rank)
        else:
            trainer = Trainer(o, data, device=device, world_size=world, rank=rank)
    except (ValueError, KeyError, OSError) as e:
        print(f"error: {e}", file=sys.stderr)
        if world > 1:
            dist.destroy_process_group()
        return 1

    o = trainer.options
    params = sum(p.numel() for p in trainer.params)
    say(f"train.py: preset {o.preset} ({params / 1e6:.2f}M parameters, {size}x{size}), {args.data}: {data.count} images")
    say(f"  {o.steps} steps, global batch {o.batchSize} ({world} x {trainer.local_batch}) x accumulate {o.accumulate}, lr {o.learningRate}, "
        f"{o.schedule} schedule T={o.timesteps}, objective {o.objective}, seed {o.seed}; device {device.type}"
        + (f", {backend} backend" if backend else ""))
    say(f"  fixes {o.fixes.describe()}; augmentation {o.augment_mode}")
    if args.resume:
        say(f"  resuming {args.resume} at step {trainer.step}")
    session = Session(trainer, out, log_every=args.log_every, resumed_from=args.resume,
                      describe={"backend": backend or "none"})
    session.stop.install()
    t0 = time.perf_counter()
    start_step = trainer.step
    end = session.run()
    took = time.perf_counter() - t0
    say(f"{end} at step {trainer.step} ({trainer.step - start_step} steps in {took:.1f} s, milestones included)")
    if world > 1:
        dist.destroy_process_group()
    if end == "diverged":
        return 1
    if end == "stopped":
        say(f"resume with: python reference/train.py --resume {out}/checkpoint.safetensors --data {args.data}")
        return 128 + int(session.stop.signal or 0)
    return 0


if __name__ == "__main__":
    sys.exit(main())
