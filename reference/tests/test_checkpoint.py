"""Checkpoints: the Swift layout and metadata, strict loading into reference/unet.py, exact
resume, and the round trip PyTorch -> `ddpm train --resume` -> PyTorch when a ddpm binary is built."""

from __future__ import annotations

import json
import os
import struct
import subprocess

import numpy as np
import pytest
import torch

import checkpoint as ckpt
from conftest import FIXTURE, ddpm_binary, max_difference, tiny_args
from data import TrainingSet, load_folder
from options import FixSet, TrainingOptions
from unet import PRESETS

SWIFT_KEYS = {"format", "options", "config", "fixes", "step", "adam_step", "sampler", "loss_history", "bucket_loss"}


def test_layout_and_metadata_are_swifts(tiny_run):
    path = tiny_run + "/checkpoint.safetensors"
    with open(path, "rb") as f:
        raw = f.read()
    n = struct.unpack("<Q", raw[:8])[0]
    header = json.loads(raw[8:8 + n])
    assert n % 8 == 0 and raw[8:8 + n].rstrip(b" ").endswith(b"}")
    names = [k for k in header if k != "__metadata__"]
    assert names == sorted(names) and all(header[k]["dtype"] == "F32" for k in names)
    meta = header["__metadata__"]
    assert SWIFT_KEYS <= set(meta) and meta["format"] == "ddpm-checkpoint-1" and meta["writer"] == "pytorch"
    assert meta["step"] == "4" and meta["adam_step"] == "4" and len(json.loads(meta["loss_history"])) == 4
    assert json.loads(meta["config"]) == json.loads(meta["options"])["model"]
    assert FixSet.parse(meta["fixes"]) == TrainingOptions.from_json(meta["options"]).fixes
    assert not [f for f in os.listdir(tiny_run) if ".tmp-" in f]  # atomic writes leave no temp files
    c = ckpt.Loaded(path)
    assert {k.split(".")[0] for k in c.tensors} == {"param", "ema", "adam"} and len(c.tensors) == 4 * len(c.names)


def test_checkpoint_loads_strictly_into_the_twin(tiny_run):
    path = tiny_run + "/checkpoint.safetensors"
    tensors, _ = ckpt.read_safetensors(path)
    for ema in (False, True):
        model = ckpt.load_unet(path, ema=ema)  # load_state_dict(strict=True)
        prefix = "ema." if ema else "param."
        for n, p in model.named_parameters():
            assert np.array_equal(p.detach().numpy(), tensors[prefix + n]), n
    sd = {k[len("param."):]: torch.from_numpy(v) for k, v in tensors.items() if k.startswith("param.")}
    missing, unexpected = ckpt.load_unet(path).load_state_dict(sd, strict=True)
    assert not missing and not unexpected


def test_options_json_is_swifts():
    """The bytes `ddpm train --preset fixture --steps 4 --save-every 2 --batch 2 --samples 2
    --sample-steps 5 --data DIR` wrote into its checkpoint (Swift's JSONEncoder, sorted keys)."""
    swift = ('{"accumulate":2,"augment":true,"batchSize":2,"emaDecay":0.995,"emaEvery":10,"emaStartStep":2000,'
             '"fixes":{"clipXRecon":true,"extraction":"usedOnly","finalStep":"posteriorMean","forwardCoefficients":'
             '"precomputed","loss":"l1","lossInput":"xt","reverseVariance":"posterior"},"learningRate":0.001,'
             '"maxGradNorm":1,"milestoneEta":1,"milestoneSamplingSteps":5,"model":{"attentionHeadDim":4,"attentionHeads":2,'
             '"attentionResolutions":[4],"channelMults":[1,2],"channels":3,"dim":8,"groups":4,"imageSize":8,'
             '"resBlocks":1},"objective":"epsilon","preset":"fixture","sampleCount":2,"saveEvery":2,'
             '"schedule":"linear","seed":0,"steps":4,"timesteps":1000}')
    o = TrainingOptions(preset="fixture", model=PRESETS["fixture"], batchSize=2, steps=4, saveEvery=2,
                        sampleCount=2, milestoneSamplingSteps=5)
    assert o.to_json() == swift
    assert TrainingOptions.from_json(swift) == o
    old = json.loads(swift)
    del old["emaStartStep"], old["fixes"]["loss"], old["milestoneEta"]
    back = TrainingOptions.from_json(json.dumps(old))
    # Swift's defaults for older checkpoints: EMA from the first step, deterministic milestone grids
    assert back.emaStartStep == 0 and back.fixes.loss == "l1" and back.milestoneEta == 0


def test_fix_switch_syntax():
    assert FixSet().describe() == "fwd=precomputed,t0=mean,input=xt,extract=5,clip=on,var=posterior,loss=l1"
    assert FixSet.parse("course").describe() == "fwd=sqrt-at-call,t0=xrecon,input=x0,extract=all,clip=on,var=posterior,loss=l1"
    assert FixSet.parse(" course , T0=Mean").finalStep == "posteriorMean"
    assert FixSet.parse("fwd=sqrt-of-sqrt,clip=off,var=beta,loss=l2") == FixSet("sqrtOfSqrt", "posteriorMean", "xt", "usedOnly", False, "beta", "l2")
    assert FixSet.parse("") == FixSet()
    for bad in ("fwd=nope", "colour=red", "fixed,,loss=l2", "huge"):
        with pytest.raises(ValueError):
            FixSet.parse(bad)


def test_resume_is_exact(images_dir, tmp_path):
    """Interrupted at step 2 and resumed to 4 == a straight run to 4 (same bits), via train.py."""
    import train

    straight, split = str(tmp_path / "straight"), str(tmp_path / "split")
    args = ("--batch", "2", "--save-every", "100", "--fixes", "loss=l2", "--objective", "v")
    assert train.main(tiny_args(images_dir, straight, "--steps", "4", *args)) == 0
    assert train.main(tiny_args(images_dir, split, "--steps", "2", *args)) == 0
    assert train.main(["--resume", split + "/checkpoint.safetensors", "--data", images_dir, "--steps", "4",
                       "--device", "cpu", "--threads", "1"]) == 0
    a, b = ckpt.Loaded(straight + "/checkpoint.safetensors"), ckpt.Loaded(split + "/checkpoint.safetensors")
    assert a.step == b.step == 4 and a.metadata["sampler"] == b.metadata["sampler"]
    assert a.metadata["loss_history"] == b.metadata["loss_history"]
    for prefix in ckpt.PREFIXES:
        fa, fb = a.family(prefix), b.family(prefix)
        assert all(np.array_equal(fa[n], fb[n]) for n in fa), prefix
    with open(split + "/metrics.jsonl") as f:
        lines = [json.loads(line) for line in f]
    starts = [r for r in lines if r.get("event") in ("start", "resume")]
    assert [(s["event"], s["step"]) for s in starts] == [("start", 0), ("resume", 2)]
    assert starts[1]["checkpoint"].endswith("checkpoint.safetensors")
    assert starts[0]["options"]["model"]["imageSize"] > 0, "the first line carries the run's options"


def test_resume_refuses_a_finished_run_and_a_used_folder(tiny_run, images_dir):
    import train

    assert train.main(["--resume", tiny_run + "/checkpoint.safetensors", "--data", images_dir, "--device", "cpu"]) == 1
    assert train.main(tiny_args(images_dir, tiny_run, "--steps", "2")) == 1


def test_round_trip_through_swift(images_dir, tmp_path):
    """PyTorch writes a checkpoint, `ddpm train --resume` continues it 2 steps, PyTorch resumes
    Swift's checkpoint 2 more: each engine accepts the other's file and continues the run."""
    binary = ddpm_binary()
    if binary is None:
        pytest.skip("no ddpm binary: build it (swift build) or set DDPM_BIN to run the Swift round trip")
    import train

    out = str(tmp_path / "run")
    assert train.main(tiny_args(images_dir, out, "--steps", "2", "--batch", "2", "--save-every", "100")) == 0
    torch_ckpt = ckpt.Loaded(out + "/checkpoint.safetensors")
    p = subprocess.run([binary, "train", "--resume", out + "/checkpoint.safetensors", "--steps", "4", "--data", images_dir],
                       capture_output=True, text=True, timeout=240)
    assert p.returncode == 0, p.stdout[-2000:] + p.stderr[-2000:]
    swift_ckpt = ckpt.Loaded(out + "/checkpoint.safetensors")
    assert swift_ckpt.step == 4 and swift_ckpt.adam_step == 4 and "writer" not in swift_ckpt.metadata
    torch_ckpt.options.steps = 4  # the only option a resume may change
    assert swift_ckpt.options == torch_ckpt.options
    hist = json.loads(swift_ckpt.metadata["loss_history"])
    assert len(hist) == 4 and hist[:2] == json.loads(torch_ckpt.metadata["loss_history"])
    assert json.loads(swift_ckpt.metadata["sampler"])["count"] == 10
    # Swift moved every tensor on: Adam and the weights changed, the twin still loads them strictly.
    rest, _ = max_difference(swift_ckpt.family("param."), torch_ckpt.family("param."), swift_ckpt.options.model)
    assert rest > 0
    ckpt.load_unet(swift_ckpt.path, ema=True)
    assert train.main(["--resume", out + "/checkpoint.safetensors", "--data", images_dir, "--steps", "6",
                       "--device", "cpu", "--threads", "1"]) == 0
    back = ckpt.Loaded(out + "/checkpoint.safetensors")
    assert back.step == 6 and back.adam_step == 6 and back.metadata["writer"] == "pytorch"
    assert json.loads(back.metadata["loss_history"])[:4] == hist

    # Both engines' metrics.jsonl lines have the same keys per kind of line.
    with open(out + "/metrics.jsonl") as f:
        text = f.read()
    lines = [json.loads(line) for line in text.splitlines()]
    kinds = {}
    for r in lines:
        if r.get("event") not in ("start", "resume"):
            kinds.setdefault(r.get("event", "step"), set()).add(frozenset(r))
    assert all(len(v) == 1 for v in kinds.values()), kinds
    assert {"step", "checkpoint", "final"} <= set(kinds)


def test_data_walk_matches_the_swift_recipe(images_dir):
    images, names = load_folder(images_dir, 8)
    assert images.shape == (10, 3, 9, 9) and float(images.min()) >= -1 and float(images.max()) <= 1
    assert names == sorted(names) and all(not os.path.basename(n).startswith(".") for n in names)
    assert any(n.endswith(".jpg") for n in names)
    cats, cat_names = load_folder(images_dir, 8, "cat")
    assert len(cat_names) == 5 and all("/cat/" in n for n in cat_names)
    assert len(load_folder(images_dir, 8, "animals")[1]) == 10
    assert len(load_folder(images_dir, 8, os.path.basename(images_dir))[1]) == 10  # the root's own name counts
    with pytest.raises(ValueError):
        load_folder(images_dir, 8, "wolf")
    ts = TrainingSet(images, 8)
    assert ts.centre_crops().shape == (10, 3, 8, 8)
    g = torch.Generator().manual_seed(0)
    crops = ts.draw_crops(10, True, g)
    assert ts.batch(list(range(10)), crops).shape == (10, 3, 8, 8) and int(crops[0].max()) <= 1


def test_workbench_recipe_is_swifts():
    """`--recipe workbench` is `TrainingOptions.interactive` (on a folder): the JSON both engines
    write, committed once (RecipeOptionTests checks Swift against the same file)."""
    path = os.path.join(os.path.dirname(FIXTURE), "workbench_recipe.json")
    with open(path) as f:
        assert TrainingOptions.workbench().to_json() == f.read().strip()
