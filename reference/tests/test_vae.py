"""The VAE twin (reference/vae.py): its fixtures are up to date, and a VAE checkpoint written by
`ddpm train --model vae` loads strictly into it (skipped without a ddpm binary)."""

from __future__ import annotations

import json
import os
import subprocess

import numpy as np
import pytest
import torch

import checkpoint as ckpt
import make_vae_fixtures
import vae
from conftest import ROOT, ddpm_binary

FIXTURES = os.path.join(ROOT, "Tests", "DiffusionEngineTests", "Fixtures")


@pytest.mark.parametrize("name,file", [("fixture", "vae_fixture"), ("fixtureVector", "vae_vector_fixture")])
def test_fixture_is_up_to_date(tmp_path, name, file):
    """Regenerating gives the committed file: the same metadata and names, the same values up to
    float32 rounding (another torch build may order float work differently)."""
    threads = torch.get_num_threads()
    try:
        torch.set_num_threads(1)
        torch.use_deterministic_algorithms(True)
        torch.backends.mkldnn.enabled = False
        make_vae_fixtures.make(name, str(tmp_path / "f.safetensors"))
    finally:
        torch.use_deterministic_algorithms(False)
        torch.backends.mkldnn.enabled = True
        torch.set_num_threads(threads)
    old_t, old_m = ckpt.read_safetensors(os.path.join(FIXTURES, file + ".safetensors"))
    new_t, new_m = ckpt.read_safetensors(str(tmp_path / "f.safetensors"))
    assert {k: v for k, v in old_m.items() if k != "torch"} == {k: v for k, v in new_m.items() if k != "torch"}
    assert set(old_t) == set(new_t)
    for k, v in old_t.items():
        assert np.allclose(new_t[k], v, rtol=1e-5, atol=1e-7), k
    # The names are the twin's, in its registration order (= the Swift engine's).
    model = vae.VAE(vae.PRESETS[name])
    assert json.loads(old_m["parameters"]) == [n for n, _ in model.named_parameters()]


def test_swift_vae_checkpoint_loads_strictly(images_dir, tmp_path):
    binary = ddpm_binary()
    if binary is None:
        pytest.skip("no ddpm binary: build it (swift build) or set DDPM_BIN")
    out = str(tmp_path / "run")
    p = subprocess.run([binary, "train", "--preset", "fixture", "--model", "vae,latent=8", "--steps", "2", "--batch", "2",
                        "--accumulate", "1", "--samples", "2", "--save-every", "100", "--data", images_dir, "--out", out],
                       capture_output=True, text=True, timeout=240)
    assert p.returncode == 0, p.stdout[-2000:] + p.stderr[-2000:]
    tensors, meta = ckpt.read_safetensors(out + "/checkpoint.safetensors")
    assert json.loads(meta["options"])["family"] == "vae"
    cfg = vae.VAEConfig.from_json(meta["config"])
    assert cfg.latentShape == [8] and cfg == vae.VAEConfig(**json.loads(meta["options"])["vae"])
    model = vae.VAE(cfg)
    for prefix in ("param.", "ema."):
        sd = {k[len(prefix):]: torch.from_numpy(v) for k, v in tensors.items() if k.startswith(prefix)}
        missing, unexpected = model.load_state_dict(sd, strict=True)
        assert not missing and not unexpected
    # The twin runs the loaded weights: a finite reconstruction of the right shape.
    x = torch.zeros(2, cfg.channels, cfg.imageSize, cfg.imageSize)
    mu, logvar, z, x_hat = model(x, torch.zeros(2, *cfg.latentShape))
    assert x_hat.shape == x.shape and torch.isfinite(x_hat).all()
