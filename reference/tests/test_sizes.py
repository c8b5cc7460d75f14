"""Any image size and channel count, as in `ddpm train --model image-size=N,channels=1`."""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image
from safetensors import safe_open

import train
from conftest import tiny_args
from options import model_changes
from unet import PRESETS


def test_grey_16px_run_writes_a_one_channel_model_and_grey_grids(images_dir, tmp_path):
    out = str(tmp_path / "grey")
    args = tiny_args(images_dir, out, "--steps", "2", "--batch", "2", "--model", "image-size=16,channels=1")
    assert train.main(args) == 0
    with safe_open(out + "/checkpoint.safetensors", "pt") as f:
        assert list(f.get_slice("param.init_conv.weight").get_shape()) == [8, 1, 3, 3]
    grid = np.asarray(Image.open(out + "/samples/step-final.png").convert("RGB"))
    assert grid.shape == (2 + 18, 2 * 18 + 2, 3)  # 2 samples of 16 px, 2 px padding
    assert (grid[..., 0] == grid[..., 1]).all() and (grid[..., 1] == grid[..., 2]).all()


def test_model_keys_and_their_errors():
    c = model_changes("image-size=64,channels=1", PRESETS["tiny"])
    assert (c.imageSize, c.channels) == (64, 1)
    assert PRESETS["tiny64"].imageSize == 64 and PRESETS["course64"].channelMults == [1, 2, 4, 8]
    for text, message in [("channels=2", "channels=2 must be 1 or 3"), ("image-size=9", "divisible"),
                          ("width=3", "unknown key 'width'; use image-size, channels")]:
        with pytest.raises(ValueError, match=message):
            model_changes(text, PRESETS["fixture"])
