"""Checkpoints in the Swift engine's format (Sources/DiffusionEngine/Training/Trainer+Checkpoint.swift).

A checkpoint is a safetensors file, float32, tensors sorted by name:

    param.<name>    the weights (strip "param." for a state_dict of reference/unet.py)
    ema.<name>      the EMA weights
    adam.m.<name>   Adam's first moments
    adam.v.<name>   Adam's second moments
    __metadata__    format = ddpm-checkpoint-1, options (TrainingOptions JSON), config (UNetConfig
                    JSON), fixes (compact form), step, adam_step, sampler (EpochSampler JSON),
                    loss_history and bucket_loss (JSON [Float], -1 for non-finite)

The PyTorch trainer adds `writer` = pytorch, `world_size` and `torch`; Swift ignores them.
Files are replaced atomically: a temporary file in the same folder, fsync, rename, fsync of the
folder; a kill at any moment leaves the previous checkpoint readable.
"""

from __future__ import annotations

import json
import os
import random
import struct

import numpy as np
import torch
from safetensors import safe_open

from options import TrainingOptions
from unet import UNet

FORMAT = "ddpm-checkpoint-1"
PREFIXES = ("param.", "ema.", "adam.m.", "adam.v.")


def atomic_write(path: str, chunks):
    """Writes the byte chunks to `path` atomically (temp file, fsync, rename, fsync the folder)."""
    folder = os.path.dirname(path) or "."
    temp = os.path.join(folder, f".{os.path.basename(path)}.tmp-{os.getpid()}-{random.getrandbits(32)}")
    fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
    try:
        with os.fdopen(fd, "wb") as f:
            for c in chunks:
                f.write(c)
            f.flush()
            os.fsync(f.fileno())
        os.replace(temp, path)
    except BaseException:
        if os.path.exists(temp):
            os.unlink(temp)
        raise
    try:  # some file systems refuse fsync on a folder; the renamed file is already safe
        dfd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
        try:
            os.fsync(dfd)
        finally:
            os.close(dfd)
    except OSError:
        pass


def safetensors_bytes(tensors: dict, metadata: dict):
    """The chunks of a safetensors file as Swift's `SafeTensors.write` lays it out: names sorted,
    a sorted-key JSON header padded with spaces to 8 bytes, float32 little-endian data."""
    header, offset, blobs = {}, 0, []
    if metadata:
        header["__metadata__"] = {k: str(v) for k, v in metadata.items()}
    for name in sorted(tensors):
        a = np.ascontiguousarray(tensors[name], dtype="<f4")
        blob = a.tobytes()
        header[name] = {"data_offsets": [offset, offset + len(blob)], "dtype": "F32", "shape": list(a.shape)}
        offset += len(blob)
        blobs.append(blob)
    text = json.dumps(header, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")
    text += b" " * (-len(text) % 8)
    return [struct.pack("<Q", len(text)), text] + blobs


def write_safetensors(path: str, tensors: dict, metadata: dict):
    atomic_write(path, safetensors_bytes(tensors, metadata))


def read_safetensors(path: str):
    """(tensors {name: float32 ndarray}, metadata {str: str})."""
    with safe_open(path, framework="np") as f:
        return {k: f.get_tensor(k) for k in f.keys()}, dict(f.metadata() or {})


class Loaded:
    """A checkpoint read and checked against its own config: options, step, adam_step, the four
    tensor families by parameter name, and the raw metadata."""

    def __init__(self, path: str):
        if not os.path.exists(path):
            raise FileNotFoundError(f"checkpoint {path}: no such file; pass the checkpoint.safetensors of a run folder")
        self.path = path
        self.tensors, self.metadata = read_safetensors(path)
        if self.metadata.get("format") != FORMAT:
            raise ValueError(f"checkpoint {path}: not a ddpm checkpoint (metadata format is {self.metadata.get('format', 'missing')})")
        try:
            self.options = TrainingOptions.from_json(self.metadata.get("options", ""))
        except Exception as e:
            raise ValueError(f"checkpoint {path}: its options metadata is unreadable ({e}); the file is damaged") from e
        try:
            self.step = int(self.metadata["step"])
        except (KeyError, ValueError) as e:
            raise ValueError(f"checkpoint {path}: no step in its metadata; the file is damaged") from e
        self.adam_step = int(self.metadata.get("adam_step", self.step))
        shapes = {n: tuple(p.shape) for n, p in UNet(self.options.model).named_parameters()}
        self.names = list(shapes)
        for prefix in ("param.",):
            self.family(prefix, shapes)  # checks now: the weights must be there

    def family(self, prefix: str, shapes: dict | None = None) -> dict:
        """{name: float32 ndarray} for `prefix` + every parameter; KeyError/ValueError when a
        tensor is missing or has the wrong shape."""
        shapes = shapes or {n: tuple(p.shape) for n, p in UNet(self.options.model).named_parameters()}
        out = {}
        for n, shape in shapes.items():
            key = prefix + n
            if key not in self.tensors:
                raise KeyError(f"checkpoint {self.path}: tensor {key} is missing; the file does not match its own config")
            t = self.tensors[key]
            if tuple(t.shape) != shape:
                raise ValueError(f"checkpoint {self.path}: {key} has shape {list(t.shape)}, the config needs {list(shape)}")
            out[n] = t
        return out

    def has(self, prefix: str) -> bool:
        return all(prefix + n in self.tensors for n in self.names)

    def json(self, key: str, default=None):
        text = self.metadata.get(key)
        try:
            return json.loads(text) if text is not None else default
        except json.JSONDecodeError:
            return default


def load_unet(path: str, ema: bool = False) -> UNet:
    """A `reference/unet.py` UNet holding a checkpoint's weights (or EMA weights), loaded strictly."""
    c = Loaded(path)
    model = UNet(c.options.model)
    prefix = "ema." if ema and c.has("ema.") else "param."
    model.load_state_dict({n: torch.from_numpy(np.array(v)) for n, v in c.family(prefix).items()}, strict=True)
    return model
