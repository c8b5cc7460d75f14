"""Data-parallel training: 2 gloo processes on the CPU (torchrun) equal 1 process with the same
global batch, step for step (same draws: each rank trains on its rows of the global batch)."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import numpy as np
import pytest
import torch

import checkpoint as ckpt
from conftest import REFERENCE, max_difference, tiny_args


def test_two_processes_equal_one(images_dir, tmp_path):
    import train

    ddp, single = str(tmp_path / "ddp"), str(tmp_path / "single")
    env = {**os.environ, "OMP_NUM_THREADS": "1"}
    cmd = [sys.executable, "-m", "torch.distributed.run", "--nproc_per_node=2", "--standalone",
           os.path.join(REFERENCE, "train.py"), *tiny_args(images_dir, ddp, "--steps", "3", "--batch", "2", "--save-every", "100")]
    p = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=240)
    if p.returncode != 0 and "Address already in use" in p.stderr:
        pytest.skip("torchrun could not bind its rendezvous port")
    assert p.returncode == 0, p.stdout[-2000:] + p.stderr[-4000:]
    assert "global batch 4 (2 x 2)" in p.stdout and "gloo backend" in p.stdout
    assert train.main(tiny_args(images_dir, single, "--steps", "3", "--batch", "4", "--save-every", "100")) == 0

    a, b = ckpt.Loaded(ddp + "/checkpoint.safetensors"), ckpt.Loaded(single + "/checkpoint.safetensors")
    assert a.step == b.step == 3 and a.options.batchSize == b.options.batchSize == 4
    assert a.metadata["world_size"] == "2" and b.metadata["world_size"] == "1"
    assert a.metadata["sampler"] == b.metadata["sampler"]
    worst = {p: max_difference(a.family(p), b.family(p), a.options.model) for p in ckpt.PREFIXES}
    print(f"max |DDP - single| after 3 steps (outside, inside the key biases): {worst}")
    for p in ("param.", "ema."):
        assert worst[p][0] <= 1e-5 and worst[p][1] <= 3 * 3 * a.options.learningRate * 0.1
    # The key biases do not matter: both models compute the same function.
    x = torch.randn(3, 3, 8, 8, generator=torch.Generator().manual_seed(1))
    t = torch.tensor([5.0, 500.0, 999.0])
    with torch.no_grad():
        ya, yb = ckpt.load_unet(a.path)(x, t), ckpt.load_unet(b.path)(x, t)
    assert float((ya - yb).abs().max()) <= 1e-5
    la, lb = json.loads(a.metadata["loss_history"]), json.loads(b.metadata["loss_history"])
    assert np.allclose(la, lb, rtol=1e-5, atol=0)

    with open(ddp + "/metrics.jsonl") as f:
        lines = [json.loads(line) for line in f]
    start = lines[0]
    assert start["event"] == "start" and start["writer"] == "pytorch" and start["world_size"] == 2
    assert start["device"] == "cpu" and start["backend"] == "gloo" and start["per_rank_batch"] == 2
    assert [r["step"] for r in lines if "loss" in r] == [1, 2, 3]  # rank 0 alone writes
