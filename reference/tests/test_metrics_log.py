"""metrics.jsonl as Swift's TrainingSession writes it: the keys and types of every kind of line,
plus this writer's start line; paths written plain."""

from __future__ import annotations

import json
import os

import numpy as np
import torch

from session import Session
from trainer import Diverged

STEP = {"step": int, "loss": float, "grad_norm": float, "lr": float, "images_per_s": float, "wall_time": float,
        "step_seconds": float, "loss_by_t_bucket": list}
CHECKPOINT = {"step": int, "event": str, "path": str}
MILESTONE = {"step": int, "event": str, "samples": str, "sampler": str, "nn_rmse": float, "swd": float, "swd_per_level": list,
             "sampling_seconds": float, "metrics_seconds": float}
START = {"step": int, "event": str, "writer": str, "world_size": int, "device": str, "backend": str,
         "per_rank_batch": int, "torch": str, "wall_time": float, "options": dict}


def check(record: dict, schema: dict):
    assert set(record) == set(schema), sorted(set(record) ^ set(schema))
    for k, t in schema.items():
        assert isinstance(record[k], t) and not isinstance(record[k], bool), (k, record[k])


def test_every_line_has_swifts_keys_and_types(tiny_run):
    with open(tiny_run + "/metrics.jsonl", encoding="utf-8") as f:
        text = f.read()
    assert "\\/" not in text  # paths are written plain
    lines = [json.loads(line) for line in text.splitlines()]
    check(lines[0], START)
    assert lines[0]["event"] == "start" and lines[0]["writer"] == "pytorch" and lines[0]["world_size"] == 1
    assert lines[0]["device"] in ("cpu", "cuda")
    kinds = [r.get("event", "step") for r in lines[1:]]
    assert kinds == ["step", "step", "checkpoint", "milestone", "step", "step", "checkpoint", "final"]
    for r in lines[1:]:
        kind = r.get("event", "step")
        check(r, {"step": STEP, "checkpoint": CHECKPOINT, "milestone": MILESTONE, "final": MILESTONE}[kind])
        if kind == "step":
            assert len(r["loss_by_t_bucket"]) == 10
            assert all(v is None or isinstance(v, float) for v in r["loss_by_t_bucket"])
            assert r["lr"] == float(np.float32(1e-3))  # Swift writes the Float as a Double
        elif kind == "checkpoint":
            assert r["path"] == tiny_run + "/checkpoint.safetensors"
        else:
            assert r["samples"] == tiny_run + ("/samples/step-final.png" if kind == "final" else "/samples/step-000002.png")
            assert os.path.exists(r["samples"]) and r["sampler"] == "ddim(steps=2, eta=1.0)"  # milestone grids are ancestral (milestoneEta 1)
            assert all(isinstance(v, float) for v in r["swd_per_level"]) and r["nn_rmse"] > 0
    assert [r["step"] for r in lines[1:]] == [1, 2, 2, 2, 3, 4, 4, 4]


def test_a_diverged_step_is_logged_and_nothing_is_saved(tiny_run, tmp_path):
    import checkpoint as ckpt
    from data import TrainingSet
    from trainer import Trainer

    c = ckpt.Loaded(tiny_run + "/checkpoint.safetensors")
    tr = Trainer(c.options, TrainingSet(torch.zeros(10, 3, 9, 9), 8))

    def diverge():
        raise Diverged("training: the loss became nan at step 1; weights were not updated — lower --lr or check the data")

    tr.train_step = diverge
    s = Session(tr, str(tmp_path / "run"), quiet=True)
    assert s.run() == "diverged"
    with open(tmp_path / "run" / "metrics.jsonl") as f:
        lines = [json.loads(line) for line in f]
    assert lines[-1] == {"step": 1, "event": "diverged", "message": lines[-1]["message"]} and "nan" in lines[-1]["message"]
    assert not os.path.exists(tmp_path / "run" / "checkpoint.safetensors")


def test_non_finite_numbers_are_null(tmp_path):
    from session import MetricsLog

    log = MetricsLog(str(tmp_path / "m.jsonl"))
    log.append({"step": 1, "loss": float("nan"), "loss_by_t_bucket": [float("inf"), 0.5], "path": "a/b"})
    log.close()
    with open(tmp_path / "m.jsonl") as f:
        assert f.read() == '{"loss":null,"loss_by_t_bucket":[null,0.5],"path":"a/b","step":1}\n'
