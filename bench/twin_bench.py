"""Training and sampling speed of the PyTorch twin, the yardstick for the Swift engine.

    "$(scripts/python-env)" bench/twin_bench.py --preset tiny --batch 16 [--steps 20] [--json]

One training step = forward + MSE loss + backward + Adam (lr 1e-3) on random data with random
float timesteps, the work the Swift trainer does per step (without EMA and clipping). After
`--warmup` untimed steps, the median of `--steps` timed steps is reported, with images/s and
GFLOP/s (3 x the analytic forward FLOPs per step: forward + ~2x for the backward, the same
count as `UNetConfig.forwardFLOPs` in Swift). A reverse-sampling step is one forward under
no_grad at batch 1 and at batch 16. Peak RSS is the process's maximum resident set size.
torch uses 2 threads (the machine's cores). `--compile` runs the model under
`torch.compile` (inductor, CPU: it needs a C++ compiler); its compilation happens in the warm-up
steps and the first sampling call of each batch size, and is reported as `compile_s`.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import resource
import statistics
import sys
import time

import torch

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "reference"))
import unet  # noqa: E402


def cpu_name() -> str:
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def timed(fn, repeats: int) -> list:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return times


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--preset", choices=sorted(unet.PRESETS), default="tiny")
    ap.add_argument("--batch", type=int, default=16)
    ap.add_argument("--steps", type=int, default=10, help="timed training steps (median reported)")
    ap.add_argument("--warmup", type=int, default=2, help="untimed training steps first")
    ap.add_argument("--sample-repeats", type=int, default=10, help="timed forwards per sampling batch size")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--json", action="store_true", help="print one JSON object instead of the table")
    ap.add_argument("--compile", action="store_true", help="torch.compile the model (inductor backend)")
    args = ap.parse_args()

    torch.set_num_threads(args.threads)
    load_before = os.getloadavg()[0]
    torch.manual_seed(args.seed)
    cfg = unet.PRESETS[args.preset]
    model = unet.UNet(cfg)
    opt = torch.optim.Adam(model.parameters(), lr=1e-3, betas=(0.9, 0.999), eps=1e-8)
    run = torch.compile(model, backend="inductor") if args.compile else model
    compile_s = 0.0
    shape = (args.batch, cfg.channels, cfg.imageSize, cfg.imageSize)
    x, target = torch.randn(shape), torch.randn(shape)
    t = torch.randint(0, 1000, (args.batch,)).float()

    def train_step():
        opt.zero_grad(set_to_none=True)
        loss = torch.mean((run(x, t) - target) ** 2)
        loss.backward()
        opt.step()

    compile_s += sum(timed(train_step, max(args.warmup, 1 if args.compile else 0)))
    step_times = timed(train_step, args.steps)
    step = statistics.median(step_times)

    sampling = {}
    model.eval()
    with torch.no_grad():
        for b in (1, 16):
            xs = torch.randn(b, cfg.channels, cfg.imageSize, cfg.imageSize)
            ts = torch.full((b,), 500.0)
            compile_s += sum(timed(lambda: run(xs, ts), 1))  # warm-up (and compilation)
            sampling[b] = statistics.median(timed(lambda: run(xs, ts), args.sample_repeats))

    fwd_flops = unet.forward_flops(cfg, args.batch)
    result = {
        "tool": "bench/twin_bench.py",
        "date": datetime.datetime.now().astimezone().isoformat(timespec="seconds"),
        "machine": f"{cpu_name()}, {os.cpu_count()} cores, {platform.system()} {platform.release()}",
        "torch": torch.__version__,
        "threads": torch.get_num_threads(),
        "preset": args.preset,
        "compile": args.compile,
        "compile_s": compile_s if args.compile else None,
        "config": json.loads(cfg.to_json()),
        "parameters": unet.parameter_count(cfg),
        "batch": args.batch,
        "steps": args.steps,
        "warmup": args.warmup,
        "train_step_s_median": step,
        "train_step_s_min": min(step_times),
        "train_step_s_max": max(step_times),
        "images_per_s": args.batch / step,
        "forward_gflop_per_image": unet.forward_flops(cfg, 1) / 1e9,
        "train_gflop_per_step": 3 * fwd_flops / 1e9,
        "train_gflop_per_s": 3 * fwd_flops / step / 1e9,
        "sample_step_s_batch1": sampling[1],
        "sample_step_s_batch16": sampling[16],
        "sample_gflop_per_s_batch16": unet.forward_flops(cfg, 16) / sampling[16] / 1e9,
        "peak_rss_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,  # Linux: KiB
        # Other processes on the 2 cores inflate the times; the 1-minute load says how much.
        "load_avg_1min": [load_before, os.getloadavg()[0]],
    }
    if args.json:
        print(json.dumps(result))
        return
    rows = [
        ("preset", f"{args.preset}  ({result['parameters']:,} parameters)"),
        ("batch / timed steps", f"{args.batch} / {args.steps} (after {args.warmup} warm-up)"),
        ("train step (median)", f"{step * 1e3:.1f} ms  (min {min(step_times) * 1e3:.1f}, max {max(step_times) * 1e3:.1f})"),
        ("images/s", f"{result['images_per_s']:.1f}"),
        ("GFLOP per train step", f"{result['train_gflop_per_step']:.2f}  (3 x forward)"),
        ("GFLOP/s (train)", f"{result['train_gflop_per_s']:.1f}"),
        ("sample step, batch 1", f"{sampling[1] * 1e3:.2f} ms"),
        ("sample step, batch 16", f"{sampling[16] * 1e3:.2f} ms  ({result['sample_gflop_per_s_batch16']:.1f} GFLOP/s)"),
        ("peak RSS", f"{result['peak_rss_mib']:.0f} MiB"),
        ("load average (1 min)", f"{load_before:.2f} before, {result['load_avg_1min'][1]:.2f} after"),
        ("torch / threads", f"{torch.__version__} / {result['threads']}" + (f" / torch.compile (warm-up {compile_s:.0f} s)" if args.compile else "")),
        ("machine", result["machine"]),
        ("date", result["date"]),
    ]
    width = max(len(k) for k, _ in rows)
    for k, v in rows:
        print(f"{k:<{width}}  {v}")


if __name__ == "__main__":
    main()
