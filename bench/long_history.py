#!/usr/bin/env python3
"""Inputs for timing the Train screen on a long run (bench/WORKBENCH.md, "Long runs").

    bench/long_history.py CHECKPOINT OUT_DIR [--steps 100000]

Writes OUT_DIR/checkpoint.safetensors: CHECKPOINT with its metadata rewritten as if it had
trained --steps steps (a noisy falling `loss_history` of that length with a spike at step 5,
`step` and the options' `steps` set to it), so `ddpm --checkpoint OUT_DIR/checkpoint.safetensors
--steps N+300` resumes a run of that length; and OUT_DIR/baseline/metrics.jsonl: a finished run
folder of --steps step lines (losses and the 10 bucket losses) with a milestone every 10,000 steps,
for `--baseline OUT_DIR/baseline`. Standard library only.
"""
import argparse, json, math, os, random, struct

p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
p.add_argument("checkpoint")
p.add_argument("out")
p.add_argument("--steps", type=int, default=100_000)
a = p.parse_args()
os.makedirs(os.path.join(a.out, "baseline"), exist_ok=True)
random.seed(1)

raw = open(a.checkpoint, "rb").read()
n = struct.unpack("<Q", raw[:8])[0]
header = json.loads(raw[8:8 + n])
meta = header["__metadata__"]
history = [round((0.9 * math.exp(-k / 3000) + 0.06) * math.exp(random.gauss(0, 0.3)), 5) for k in range(a.steps)]
history[4] = 5.0
meta["loss_history"] = json.dumps(history)
meta["step"] = str(a.steps)
options = json.loads(meta["options"])
options["steps"] = a.steps
meta["options"] = json.dumps(options)
text = json.dumps(header, separators=(",", ":")).encode()
text += b" " * (-len(text) % 8)
with open(os.path.join(a.out, "checkpoint.safetensors"), "wb") as f:
    f.write(struct.pack("<Q", len(text)) + text + raw[8 + n:])

with open(os.path.join(a.out, "baseline", "metrics.jsonl"), "w") as f:
    line = lambda o: f.write(json.dumps(o, sort_keys=True) + "\n")
    line({"event": "start", "step": 0, "writer": "ddpm", "world_size": 1, "device": "cpu"})
    for k in range(1, a.steps + 1):
        base = 0.8 * math.exp(-k / 4000) + 0.07
        line({"step": k, "loss": base * math.exp(random.gauss(0, 0.3)), "lr": 0.001, "wall_time": 1.8e9 + k,
              "loss_by_t_bucket": [base * (2.5 - 0.2 * b) for b in range(10)]})
        if k % 10_000 == 0 or k == a.steps:
            line({"event": "final" if k == a.steps else "milestone", "step": k, "samples": "none.png",
                  "nn_rmse": 0.6 - 0.25 * k / a.steps, "swd": 120 - 50 * k / a.steps})
