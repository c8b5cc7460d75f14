"""`ddpm export`: the folder a GPU machine continues the run from. The README's two lines load
its model.safetensors into the twin (strictly), and launch.sh trains from its checkpoint."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
import torch

from conftest import ddpm_binary

README_LINES = """
from unet import UNet, UNetConfig; from safetensors.torch import load_model
model = UNet(UNetConfig.from_json(open("config.json").read())); load_model(model, "model.safetensors")
"""


@pytest.fixture(scope="module")
def exported(tmp_path_factory):
    binary = ddpm_binary()
    if binary is None:
        pytest.skip("no ddpm binary: build it (swift build) or set DDPM_BIN to test ddpm export")
    out = str(tmp_path_factory.mktemp("export") / "gpu")
    subprocess.run([binary, "export", "--preset", "fixture", "--steps", "4", "--save-every", "2", "--batch", "4",
                    "--accumulate", "1", "--timesteps", "20", "--samples", "2", "--sample-steps", "2", "--out", out],
                   check=True, capture_output=True, text=True)
    return out


def test_the_readme_lines_load_the_model_strictly(exported):
    code = README_LINES + "\nimport sys; sys.stdout.write(str(sum(p.numel() for p in model.parameters())))"
    r = subprocess.run([sys.executable, "-c", code], cwd=exported, check=True, capture_output=True, text=True)
    assert int(r.stdout) > 0
    # The same weights as the checkpoint's EMA tensors.
    sys.path.insert(0, exported)
    from safetensors.torch import load_file
    model = load_file(os.path.join(exported, "model.safetensors"))
    ckpt = load_file(os.path.join(exported, "checkpoint.safetensors"))
    assert set(model) == {k[4:] for k in ckpt if k.startswith("ema.")}
    assert all(torch.equal(model[k], ckpt["ema." + k]) for k in model)


def test_launch_script_trains_from_the_exported_checkpoint(exported):
    env = dict(os.environ, NPROC="1", PATH=os.path.dirname(sys.executable) + os.pathsep + os.environ["PATH"],
               OMP_NUM_THREADS="1")
    r = subprocess.run(["./launch.sh", "--device", "cpu", "--threads", "1"], cwd=exported, env=env,
                       capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stdout + r.stderr
    assert os.path.exists(os.path.join(exported, "run", "samples", "step-final.png"))
    first = open(os.path.join(exported, "run", "metrics.jsonl")).readline()
    assert '"event":"resume"' in first and '"writer":"pytorch"' in first
