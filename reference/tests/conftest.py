"""Shared pytest fixtures for the PyTorch trainer's tests.

Run from the repository root: "$(scripts/python-env)" -m pytest reference/tests -q
Tests use synthetic images written to a temporary folder, one thread per process, the CPU.
"""

from __future__ import annotations

import os
import sys

import numpy as np
import pytest
import torch
from PIL import Image

REFERENCE = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
ROOT = os.path.dirname(REFERENCE)
sys.path.insert(0, REFERENCE)
FIXTURE = os.path.join(ROOT, "Tests", "DiffusionEngineTests", "Fixtures", "train_step_fixture.safetensors")

torch.set_num_threads(1)


def write_images(folder: str, count: int = 10, size: int = 12, seed: int = 0):
    """Smooth random RGB(A) PNGs (and one JPEG) in `folder`/animals/{cat,dog}, plus files a
    loader must skip (a hidden PNG, a text file)."""
    rs = np.random.RandomState(seed)
    yy, xx = np.meshgrid(np.linspace(0, 1, size), np.linspace(0, 1, size), indexing="ij")
    for i in range(count):
        sub = os.path.join(folder, "animals", "cat" if i % 2 == 0 else "dog")
        os.makedirs(sub, exist_ok=True)
        f = rs.uniform(1, 4, 3)
        rgb = np.stack([0.5 + 0.5 * np.sin(f[c] * 3 * xx + (c + 1) * yy + i) for c in range(3)], -1)
        px = (rgb * 255).astype(np.uint8)
        if i == 3:
            Image.fromarray(px).save(os.path.join(sub, f"img{i:02d}.jpg"), quality=95)
        elif i % 3 == 0:
            alpha = (np.clip(1.5 - 2 * np.hypot(xx - 0.5, yy - 0.5), 0, 1) * 255).astype(np.uint8)
            Image.fromarray(np.dstack([px, alpha]), "RGBA").save(os.path.join(sub, f"img{i:02d}.png"))
        else:
            Image.fromarray(px).save(os.path.join(sub, f"img{i:02d}.png"))
    Image.fromarray(np.zeros((size, size, 3), np.uint8)).save(os.path.join(folder, "animals", ".hidden.png"))
    with open(os.path.join(folder, "notes.txt"), "w") as f:
        f.write("not an image\n")
    return folder


@pytest.fixture(scope="session")
def images_dir(tmp_path_factory):
    return write_images(str(tmp_path_factory.mktemp("images")))


def tiny_args(data: str, out: str, *extra) -> list:
    """A few seconds of training: preset fixture (8x8), milestone grids of 2 images, 2 DDIM steps."""
    return ["--data", data, "--out", out, "--preset", "fixture", "--samples", "2", "--sample-steps", "2",
            "--device", "cpu", "--threads", "1", "--log-every", "1000", *extra]


@pytest.fixture(scope="session")
def tiny_run(images_dir, tmp_path_factory):
    """A finished 4-step run (milestone at step 2) by train.py in this process: its folder."""
    import train

    out = str(tmp_path_factory.mktemp("run") / "run")
    assert train.main(tiny_args(images_dir, out, "--steps", "4", "--save-every", "2", "--batch", "2")) == 0
    return out


def ddpm_binary():
    """The built `ddpm` binary ($DDPM_BIN, .build/debug/ddpm or .build/release/ddpm), or None."""
    for p in (os.environ.get("DDPM_BIN"), os.path.join(ROOT, ".build", "debug", "ddpm"),
              os.path.join(ROOT, ".build", "release", "ddpm")):
        if p and os.access(p, os.X_OK):
            return p
    return None


def key_bias_slices(names, cfg):
    """{name: slice} of the attention key biases (the k block of every qkv.bias). Their gradient
    is zero in exact arithmetic (a constant added to every key of a query's row leaves the
    softmax unchanged), so their float value is rounding noise, which Adam scales up to
    lr * |g| / eps per step: two float orderings (1 vs 2 processes, Swift vs PyTorch) drift apart
    there by ~1e-5 per step without any effect on the model's output. Compared separately."""
    hidden = cfg.attentionHeads * cfg.attentionHeadDim
    return {n: slice(hidden, 2 * hidden) for n in names if n.endswith("qkv.bias")}


def max_difference(fa: dict, fb: dict, cfg):
    """(max |a - b| outside the key biases, max |a - b| in them) over two {name: array} families."""
    keys = key_bias_slices(fa, cfg)
    rest = inside = 0.0
    for n in fa:
        d = np.abs(fa[n].astype(np.float64) - fb[n])
        if n in keys:
            inside = max(inside, float(d[keys[n]].max()))
            d[keys[n]] = 0
        rest = max(rest, float(d.max()))
    return rest, inside
