"""Training data as the Swift engine prepares it (Sources/ImageIO/Dataset/*, ImageIO/Resize,
Sources/Workbench/Session/DataSource.swift, Sources/DiffusionEngine/Data/TrainingSet.swift).

- `find_images(root, class_name)`: a recursive walk, entries sorted, hidden names skipped, folders
  visited once (symlinks followed), PNG/JPEG recognised by their first bytes; with a class name
  only files below a folder of exactly that name (the root's own name counts) are kept; the
  result is sorted by path relative to the root.
- `load_folder(root, size, class_name)`: decode (alpha composited over white on the stored
  values), resize the shorter side to round(1.12 size) with an antialiased bilinear filter,
  keep the centred square of that side, scale to [-1, 1]: a (N, 3, S, S) float32 tensor.
- `TrainingSet.batch`: random size x size crops and horizontal flips when augmenting, the
  centre crop otherwise. `EpochSampler`: a fresh permutation per epoch; its JSON state is the
  checkpoint's `sampler` metadata, the same as Swift's.

The resampler is torch's (`antialias=True`), not Swift's, so pixels may differ by rounding; the
recipe is the same.
"""

from __future__ import annotations

import json
import math
import os
import stat

import numpy as np
import torch
import torch.nn.functional as F
from PIL import Image

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
JPEG_MAGIC = b"\xff\xd8\xff"


def sniff(path: str) -> str | None:
    """"png", "jpeg" or None from the first bytes of a file."""
    try:
        with open(path, "rb") as f:
            head = f.read(16)
    except OSError:
        return None
    if head.startswith(PNG_MAGIC):
        return "png"
    if head.startswith(JPEG_MAGIC):
        return "jpeg"
    return None


def find_images(root: str, class_name: str | None = None) -> list:
    """Relative paths ("/"-separated) of the PNG/JPEG files under `root`, sorted."""
    info = os.stat(root)  # raises FileNotFoundError for a missing folder
    if not stat.S_ISDIR(info.st_mode):
        raise NotADirectoryError(f"{root}: is a file, not a folder; pass the folder that holds the images")
    class_name = class_name or None
    found = []
    visited = {(info.st_dev, info.st_ino)}
    root_name = os.path.basename(os.path.normpath(os.path.abspath(root)))

    def visit(rel: str, components: list):
        folder = os.path.join(root, rel) if rel else root
        try:
            names = sorted(os.listdir(folder))
        except OSError:
            return
        keep = class_name is None or class_name in components
        for name in names:
            if name.startswith("."):
                continue
            r = f"{rel}/{name}" if rel else name
            full = os.path.join(root, r)
            try:
                st = os.stat(full)
            except OSError:
                continue
            if stat.S_ISDIR(st.st_mode):
                key = (st.st_dev, st.st_ino)
                if key not in visited:
                    visited.add(key)
                    visit(r, components + [name])
                continue
            if stat.S_ISREG(st.st_mode) and keep and sniff(full):
                found.append(r)

    visit("", [root_name])
    return sorted(found)


def decode(path: str) -> torch.Tensor:
    """(3, H, W) float32 in [0, 1], alpha composited over white (out = c a + (1 - a))."""
    with Image.open(path) as im:
        im.load()
        rgba = np.asarray(im.convert("RGBA"), dtype=np.float32) / np.float32(255)  # (H, W, 4)
    a = rgba[..., 3:4]
    rgb = rgba[..., :3] * a + (1 - a)
    return torch.from_numpy(np.ascontiguousarray(rgb.transpose(2, 0, 1)))


def _round(x: float) -> int:
    return int(math.floor(x + 0.5))  # Swift's .rounded(): half away from zero (x >= 0 here)


def oversize_side(size: int) -> int:
    """round(1.12 size): 32 -> 36, 64 -> 72."""
    return _round(1.12 * size)


def prepare(image: torch.Tensor, size: int) -> torch.Tensor:
    """(3, H, W) -> (3, S, S), S = round(1.12 size): shorter side resized to S (aspect kept,
    antialiased bilinear), then the centred S x S square."""
    side = oversize_side(size)
    _, h, w = image.shape
    if w <= h:
        nw, nh = side, max(1, _round(h * side / w))
    else:
        nw, nh = max(1, _round(w * side / h)), side
    if (nh, nw) != (h, w):
        image = F.interpolate(image[None], size=(nh, nw), mode="bilinear", align_corners=False, antialias=True)[0]
    top, left = (nh - side) // 2, (nw - side) // 2
    return image[:, top:top + side, left:left + side].contiguous()


def load_folder(root: str, size: int, class_name: str | None = None, channels: int = 3):
    """(images (N, C, S, S) in [-1, 1], names): every PNG/JPEG under `root`, prepared; C = 1 is
    the ITU-R BT.601 luma of the sRGB values (as Swift's DataSource). Raises ValueError when
    nothing usable is found."""
    names = find_images(root, class_name)
    if not names:
        scope = f" below a folder named '{class_name}'" if class_name else ""
        raise ValueError(f"{root}: no PNG or JPEG images{scope}; put images there or pass another folder")
    images, kept = [], []
    for n in names:
        try:
            images.append(prepare(decode(os.path.join(root, n)), size))
            kept.append(n)
        except Exception as e:  # a corrupt file is skipped, as Swift's loader does
            print(f"skipped {os.path.join(root, n)}: {e}", flush=True)
    if not images:
        raise ValueError(f"{root}: none of the {len(names)} PNG/JPEG files could be decoded")
    x = torch.stack(images)
    if channels == 1:
        x = (0.299 * x[:, 0:1] + 0.587 * x[:, 1:2] + 0.114 * x[:, 2:3])
    return x * 2 - 1, kept


class TrainingSet:
    """(N, C, S, S) images in [-1, 1] on a device, cut into (B, C, size, size) crops."""

    def __init__(self, images: torch.Tensor, size: int, names=None):
        assert images.dim() == 4 and images.shape[2] == images.shape[3] >= size > 0, images.shape
        self.images, self.size = images, size
        self.names = names or [f"image {i}" for i in range(images.shape[0])]

    @property
    def count(self) -> int:
        return self.images.shape[0]

    @property
    def slack(self) -> int:
        return self.images.shape[2] - self.size

    def draw_crops(self, n: int, augment, g: torch.Generator):
        """(top, left, flip) for n crops: uniform offsets in 0...slack and a fair coin for
        crop-flip (augment True), the centre and a fair coin for "flip", the centre otherwise
        (False); each a CPU tensor (n,)."""
        s = self.slack
        if augment is not True:
            c = torch.full((n,), s // 2, dtype=torch.long)
            flip = torch.rand(n, generator=g) < 0.5 if augment == "flip" else torch.zeros(n, dtype=torch.bool)
            return c, c.clone(), flip
        top = torch.randint(0, s + 1, (n,), generator=g)
        left = torch.randint(0, s + 1, (n,), generator=g)
        flip = torch.rand(n, generator=g) < 0.5
        return top, left, flip

    def batch(self, indices, crops) -> torch.Tensor:
        """(B, C, size, size) crops of the images at `indices`."""
        top, left, flip = crops
        z, out = self.size, []
        for k, i in enumerate(indices):
            y, x = int(top[k]), int(left[k])
            c = self.images[int(i), :, y:y + z, x:x + z]
            out.append(c.flip(-1) if bool(flip[k]) else c)
        return torch.stack(out)

    def centre_crops(self) -> torch.Tensor:
        """Every image centre-cropped, (N, C, size, size): what samples are measured against."""
        n = self.count
        return self.batch(range(n), self.draw_crops(n, False, None))


class EpochSampler:
    """Batches in epochs, a fresh permutation each (`EpochSampler`); state = (order, position)."""

    def __init__(self, count: int, order=None, position: int = 0):
        self.count, self.order, self.position = count, list(order or []), position

    def next(self, n: int, g: torch.Generator) -> list:
        out = []
        while len(out) < n:
            if self.position >= len(self.order):
                self.order = torch.randperm(self.count, generator=g).tolist()
                self.position = 0
            out.append(self.order[self.position])
            self.position += 1
        return out

    def copy(self) -> "EpochSampler":
        return EpochSampler(self.count, self.order, self.position)

    def to_json(self) -> str:
        return json.dumps({"count": self.count, "order": self.order, "position": self.position}, separators=(",", ":"))

    @staticmethod
    def from_json(text: str) -> "EpochSampler":
        d = json.loads(text)
        return EpochSampler(int(d["count"]), [int(i) for i in d["order"]], int(d["position"]))
