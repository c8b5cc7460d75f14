"""Writes the VAE fixtures the Swift engine is checked against (VAEFixtureTests.swift).

    "$(scripts/python-env)" reference/make_vae_fixtures.py      # from the repository root

Outputs (float32 little-endian safetensors, deterministic; the UNet and schedule fixtures of
make_fixtures.py are not touched):
  Tests/DiffusionEngineTests/Fixtures/vae_fixture.safetensors         config `fixture`: 2x4x4 map latent, L2
  Tests/DiffusionEngineTests/Fixtures/vae_vector_fixture.safetensors  config `fixtureVector`: 6-vector latent, L1
each holding param.<name> and grad.<name> for every parameter (Swift registration order),
input.x (2, 3, 8, 8), input.eps (2, latent...), output.mu, output.logvar, output.z, output.x_hat,
loss.total, loss.reconstruction, loss.kl (β of the config, no warm-up), grad.input.x (through the
encoder only: x as the reconstruction's target is held constant), and
trajectory.losses (10 Adam steps on the same x and ε).

Computed in float32 single-threaded with deterministic kernels, as make_fixtures.py does; the same
in float64 is run alongside and the float32-vs-float64 differences are printed.
"""

from __future__ import annotations

import json
import os
import sys

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import vae  # noqa: E402
from make_fixtures import ADAM, FIXTURES, f32, perturb_group_norms, save_file  # noqa: E402

SEED = 20240917


def build(cfg: vae.VAEConfig) -> vae.VAE:
    """PyTorch's default init, GroupNorm affines moved off (1, 0), and the statistics layer's
    log-variance half given a spread so σ is not ≈ 1 everywhere (the KL and the
    reparameterisation's gradient then test something)."""
    torch.manual_seed(SEED)
    model = perturb_group_norms(vae.VAE(cfg))
    with torch.no_grad():
        b = model.encoder.to_stats.bias
        half = b.shape[0] // 2
        b[half:].add_(torch.linspace(-1.0, 0.5, half))
    return model


def run(model, x, eps):
    """Forward, loss and backward; returns (outputs, losses, {name: grad}, grad x)."""
    cfg = model.cfg
    model.zero_grad(set_to_none=True)
    x = x.clone().requires_grad_(True)
    mu, logvar, z, x_hat = model(x, eps)
    # x as the reconstruction's target is data, a constant: grad.input.x is the encoder path's
    # gradient only, which is what the Swift VAE.backward returns.
    total, recon, kl = vae.vae_loss(x.detach(), x_hat, mu, logvar, cfg.reconstruction, cfg.beta)
    total.backward()
    grads = {n: p.grad.detach().clone() for n, p in model.named_parameters()}
    outs = {"mu": mu.detach(), "logvar": logvar.detach(), "z": z.detach(), "x_hat": x_hat.detach()}
    return outs, (total.detach(), recon.detach(), kl.detach()), grads, x.grad.detach()


def trajectory(cfg, state, x, eps, dtype):
    model = vae.VAE(cfg).to(dtype)
    model.load_state_dict({k: v.to(dtype) for k, v in state.items()})
    opt = torch.optim.Adam(model.parameters(), lr=ADAM["lr"], betas=tuple(ADAM["betas"]), eps=ADAM["eps"])
    losses = []
    for _ in range(ADAM["steps"]):
        opt.zero_grad(set_to_none=True)
        mu, logvar, z, x_hat = model(x.to(dtype), eps.to(dtype))
        loss = vae.vae_loss(x.to(dtype), x_hat, mu, logvar, cfg.reconstruction, cfg.beta)[0]
        losses.append(loss.item())
        loss.backward()
        opt.step()
    return torch.tensor(losses, dtype=dtype)


def make(name: str, path: str):
    cfg = vae.PRESETS[name]
    model = build(cfg)
    order = [n for n, _ in model.named_parameters()]  # registration = forward = Swift order
    state = {k: v.detach().clone() for k, v in model.state_dict().items()}
    g = torch.Generator().manual_seed(SEED + 1)
    x = torch.rand((2, cfg.channels, cfg.imageSize, cfg.imageSize), generator=g) * 2 - 1
    eps = torch.randn([2] + list(cfg.latentShape), generator=g)

    outs, losses, grads, gx = run(model, x, eps)
    traj = trajectory(cfg, state, x, eps, torch.float32)

    m64 = vae.VAE(cfg).double()
    m64.load_state_dict({k: v.double() for k, v in state.items()})
    outs64, losses64, grads64, gx64 = run(m64, x.double(), eps.double())
    traj64 = trajectory(cfg, state, x, eps, torch.float64)

    def rel(a, b):
        return (a.double() - b).abs().max().item() / max(b.abs().max().item(), 1e-30)

    print(f"{name}: float32 vs float64 (max |diff| / max |ref|): x_hat {rel(outs['x_hat'], outs64['x_hat']):.2e}  "
          f"loss {rel(losses[0], losses64[0]):.2e}  grad.x {rel(gx, gx64):.2e}  worst param grad "
          f"{max(rel(grads[n], grads64[n]) for n in grads):.2e}  trajectory {rel(traj, traj64):.2e}")

    tensors = {f"param.{n}": f32(state[n]) for n in order}
    tensors["input.x"] = f32(x)
    tensors["input.eps"] = f32(eps)
    for k in ("mu", "logvar", "z", "x_hat"):
        tensors[f"output.{k}"] = f32(outs[k])
    for k, v in zip(("total", "reconstruction", "kl"), losses):
        tensors[f"loss.{k}"] = f32(v.reshape(1))
    for n in order:
        tensors[f"grad.{n}"] = f32(grads[n])
    tensors["grad.input.x"] = f32(gx)
    tensors["trajectory.losses"] = f32(traj)
    metadata = {
        "config": cfg.to_json(),
        "preset": name,
        "generator": "reference/make_vae_fixtures.py",
        "torch": torch.__version__,
        "seed": str(SEED),
        "parameters": json.dumps(order),
        "adam": json.dumps(ADAM),
        "loss": "vae.vae_loss: reconstruction summed per image + beta * KL summed per image, mean over the batch",
    }
    save_file(tensors, path, metadata=metadata)
    print(f"{path}: {len(order)} parameters, {sum(state[n].numel() for n in order)} floats, "
          f"loss {losses[0].item():.5f} (recon {losses[1].item():.5f}, KL {losses[2].item():.5f}), "
          f"trajectory {traj[0].item():.5f} -> {traj[-1].item():.5f}")


def main():
    torch.set_num_threads(1)
    torch.use_deterministic_algorithms(True)
    torch.backends.mkldnn.enabled = False
    os.makedirs(FIXTURES, exist_ok=True)
    make("fixture", os.path.join(FIXTURES, "vae_fixture.safetensors"))
    make("fixtureVector", os.path.join(FIXTURES, "vae_vector_fixture.safetensors"))


if __name__ == "__main__":
    main()
