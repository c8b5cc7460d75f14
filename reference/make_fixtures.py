"""Writes the test fixtures the Swift engine is checked against.

    "$(scripts/python-env)" reference/make_fixtures.py      # from the repository root

Outputs (float32 little-endian safetensors, deterministic):
  Tests/DiffusionEngineTests/Fixtures/unet_fixture.safetensors
      param.<name>, grad.<name> for every UNet parameter (config `fixture`), input.x, input.t,
      input.target, output.y, loss [1], grad.input.x, trajectory.losses (10 Adam steps).
  Tests/DiffusionEngineTests/Fixtures/schedule_fixture.safetensors
      linear.<buffer>, cosine.<buffer> for T = 1000 (computed in float64, stored float32).

The UNet is computed in float32, as the Swift engine computes, single-threaded with
deterministic algorithms; the same computation in float64 is run alongside and the largest
float32-vs-float64 differences are printed, so the reference error is known.
"""

from __future__ import annotations

import json
import os
import struct
import sys

import numpy as np
import torch
from safetensors.numpy import load_file
from torch.utils.flop_counter import FlopCounterMode

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import schedule  # noqa: E402
import unet  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
FIXTURES = os.path.join(ROOT, "Tests", "DiffusionEngineTests", "Fixtures")
SEED = 20240601
TIMESTEPS = [7.0, 613.0]
ADAM = {"lr": 1e-3, "betas": [0.9, 0.999], "eps": 1e-8, "steps": 10}


def build_model(cfg: unet.UNetConfig) -> unet.UNet:
    """PyTorch's default init, then GroupNorm affines moved off (1, 0)."""
    torch.manual_seed(SEED)
    return perturb_group_norms(unet.UNet(cfg))


def perturb_group_norms(model: torch.nn.Module) -> torch.nn.Module:
    """Moves every GroupNorm's affine off (1, 0) with the global generator, so a layer that
    ignores its norm weight or bias fails the comparison instead of passing by accident."""
    with torch.no_grad():
        for m in model.modules():
            if isinstance(m, torch.nn.GroupNorm):
                m.weight.add_(0.1 * torch.randn_like(m.weight))
                m.bias.add_(0.1 * torch.randn_like(m.bias))
    return model


def run(model, x, t, target):
    """Forward, loss and backward; returns (y, loss, {name: grad}, grad x)."""
    model.zero_grad(set_to_none=True)
    x = x.clone().requires_grad_(True)
    y = model(x, t)
    loss = torch.mean((y - target) ** 2)
    loss.backward()
    grads = {n: p.grad.detach().clone() for n, p in model.named_parameters()}
    return y.detach(), loss.detach(), grads, x.grad.detach()


def trajectory(cfg, state, x, t, target, dtype):
    """Loss before each of ADAM['steps'] Adam steps on the same batch, from the same init."""
    model = unet.UNet(cfg).to(dtype)
    model.load_state_dict({k: v.to(dtype) for k, v in state.items()})
    opt = torch.optim.Adam(model.parameters(), lr=ADAM["lr"], betas=tuple(ADAM["betas"]), eps=ADAM["eps"])
    losses = []
    for _ in range(ADAM["steps"]):
        opt.zero_grad(set_to_none=True)
        loss = torch.mean((model(x.to(dtype), t.to(dtype)) - target.to(dtype)) ** 2)
        losses.append(loss.item())
        loss.backward()
        opt.step()
    return torch.tensor(losses, dtype=dtype)


def save_file(tensors: dict, path: str, metadata: dict):
    """A byte-reproducible safetensors writer: tensors in the dict's order, metadata first.

    (The `safetensors` package orders the header through a hash map, so its bytes change from
    run to run; this writer keeps fixture diffs empty when nothing changed.) The result is read
    back with the `safetensors` package to prove it is valid.
    """
    header, offset, blobs = {"__metadata__": metadata}, 0, []
    for name, a in tensors.items():
        assert a.dtype == np.dtype("<f4") and a.flags.c_contiguous, name
        blob = a.tobytes()
        header[name] = {"dtype": "F32", "shape": list(a.shape), "data_offsets": [offset, offset + len(blob)]}
        offset += len(blob)
        blobs.append(blob)
    text = json.dumps(header, separators=(",", ":")).encode("utf-8")
    text += b" " * (-len(text) % 8)  # pad so the data region starts 8-byte aligned
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(text)))
        f.write(text)
        for blob in blobs:
            f.write(blob)
    back = load_file(path)
    assert set(back) == set(tensors)
    for name, a in tensors.items():
        assert np.array_equal(back[name], a), name


def f32(t: torch.Tensor) -> np.ndarray:
    return np.ascontiguousarray(t.detach().to(torch.float32).numpy()).astype("<f4")


def make_unet_fixture(path: str):
    cfg = unet.PRESETS["fixture"]
    model = build_model(cfg)
    order = unet.forward_order_names(model)
    state = {k: v.detach().clone() for k, v in model.state_dict().items()}

    g = torch.Generator().manual_seed(SEED + 1)
    shape = (2, cfg.channels, cfg.imageSize, cfg.imageSize)
    x = torch.randn(shape, generator=g)
    target = torch.randn(shape, generator=g)
    t = torch.tensor(TIMESTEPS, dtype=torch.float32)

    y, loss, grads, gx = run(model, x, t, target)
    # FLOPs as PyTorch counts them (conv, linear, matmul; 2 per multiply-add), independent of
    # unet.analytic_counts, so the Swift formula is checked against PyTorch and not against itself.
    with FlopCounterMode(display=False) as counter:
        with torch.no_grad():
            model(x, t)
    torch_flops = counter.get_total_flops()
    assert torch_flops == unet.forward_flops(cfg, x.shape[0]), "analytic FLOPs disagree with PyTorch"
    losses = trajectory(cfg, state, x, t, target, torch.float32)

    # The same in float64: how far is the float32 reference from the exact answer?
    m64 = unet.UNet(cfg).double()
    m64.load_state_dict({k: v.double() for k, v in state.items()})
    y64, loss64, grads64, gx64 = run(m64, x.double(), t.double(), target.double())
    losses64 = trajectory(cfg, state, x, t, target, torch.float64)

    def rel(a, b):
        return (a.double() - b).abs().max().item() / max(b.abs().max().item(), 1e-30)

    print(f"float32 vs float64 (max |diff| / max |ref|): y {rel(y, y64):.2e}  loss {rel(loss, loss64):.2e}  "
          f"grad.x {rel(gx, gx64):.2e}  worst param grad "
          f"{max(rel(grads[n], grads64[n]) for n in grads):.2e}  trajectory {rel(losses, losses64):.2e}")

    tensors = {}
    for n in order:
        tensors[f"param.{n}"] = f32(state[n])
    tensors["input.x"] = f32(x)
    tensors["input.t"] = f32(t)
    tensors["input.target"] = f32(target)
    tensors["output.y"] = f32(y)
    tensors["loss"] = f32(loss.reshape(1))
    for n in order:
        tensors[f"grad.{n}"] = f32(grads[n])
    tensors["grad.input.x"] = f32(gx)
    tensors["trajectory.losses"] = f32(losses)

    metadata = {
        "config": cfg.to_json(),
        "generator": "reference/make_fixtures.py",
        "torch": torch.__version__,
        "seed": str(SEED),
        "parameters": json.dumps(order),  # forward (= Swift registration) order
        "adam": json.dumps(ADAM),
        "loss": "mean((output.y - input.target)^2)",
        "parameter_count": str(sum(p.numel() for p in model.parameters())),
        "forward_flops_batch2": str(torch_flops),
    }
    save_file(tensors, path, metadata=metadata)
    print(f"{path}: {len(order)} parameters, {sum(state[n].numel() for n in order)} floats, "
          f"{os.path.getsize(path)} bytes, loss {loss.item():.6f}, "
          f"trajectory {losses[0].item():.5f} -> {losses[-1].item():.5f}")


def make_schedule_fixture(path: str, T: int = 1000):
    tensors = {}
    for kind, betas in (("linear", schedule.linear_betas(T)), ("cosine", schedule.cosine_betas(T))):
        for name, buf in schedule.buffers(betas).items():
            tensors[f"{kind}.{name}"] = buf.astype("<f4")
    metadata = {
        "generator": "reference/make_fixtures.py",
        "T": str(T),
        "linear": "betas = linspace(1e-4, 0.02, T)",
        "cosine": "Nichol & Dhariwal 2021, s = 0.008, betas clipped at 0.999",
        "precision": "computed in float64, stored float32",
    }
    save_file(tensors, path, metadata=metadata)
    print(f"{path}: {len(tensors)} buffers, {os.path.getsize(path)} bytes")


def main():
    torch.set_num_threads(1)
    torch.use_deterministic_algorithms(True)
    torch.backends.mkldnn.enabled = False  # plain ATen kernels: same result on every CPU
    os.makedirs(FIXTURES, exist_ok=True)
    make_unet_fixture(os.path.join(FIXTURES, "unet_fixture.safetensors"))
    make_schedule_fixture(os.path.join(FIXTURES, "schedule_fixture.safetensors"))


if __name__ == "__main__":
    main()
