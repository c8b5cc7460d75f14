"""nn-RMSE of 64 samples of a run's final checkpoint: a steadier figure than a 16-image milestone.

    "$(scripts/python-env)" bench/recipe_eval.py DATA RUN [RUN ...] [--sampler ddim|ddpm] [--steps K] [--eta E]

DATA is the run's training folder (for the built-in faces: a folder of them, e.g. from
`ddpm export`). Each RUN's checkpoint samples 64 images (`ddpm sample`, seed 1; DDIM 100 unless
told), and the figure is the mean over samples of the RMSE to the nearest training image's centre
crop ([-1, 1] units, reference/metrics.py), as milestones compute it. Prints one line per run.
"""
import argparse
import math
import os
import subprocess
import sys
import tempfile

import numpy as np
from PIL import Image

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "reference"))
import data  # noqa: E402
import metrics  # noqa: E402

DDPM = os.environ.get("DDPM", ".build/release/ddpm")


def samples(checkpoint: str, count: int, sampler: str, steps: int, size: int, eta: float = 0) -> np.ndarray:
    with tempfile.TemporaryDirectory() as tmp:
        png = os.path.join(tmp, "grid.png")
        cmd = [DDPM, "sample", "--checkpoint", checkpoint, "--count", str(count), "--seed", "1", "--out", png, "--sampler", sampler]
        if sampler == "ddim":
            cmd += ["--steps", str(steps), "--eta", str(eta)]
        subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL)
        grid = np.asarray(Image.open(png).convert("RGB"), dtype=np.float32) / 127.5 - 1
    cols, pad = math.ceil(math.sqrt(count)), 2
    out = []
    for k in range(count):
        r, c = divmod(k, cols)
        y, x = r * (size + pad) + pad, c * (size + pad) + pad
        out.append(grid[y:y + size, x:x + size].transpose(2, 0, 1))
    return np.stack(out)


def main():
    p = argparse.ArgumentParser()
    p.add_argument("data")
    p.add_argument("runs", nargs="+")
    p.add_argument("--sampler", default="ddim")
    p.add_argument("--steps", type=int, default=100)
    p.add_argument("--count", type=int, default=64)
    p.add_argument("--eta", type=float, default=0.0)
    a = p.parse_args()
    training = None
    for run in a.runs:
        ckpt = run if run.endswith(".safetensors") else os.path.join(run, "checkpoint.safetensors")
        x = samples(ckpt, a.count, a.sampler, a.steps, 32, a.eta)
        if training is None:
            ds = data.TrainingSet(data.load_folder(a.data, 32)[0], 32)
            training = ds.centre_crops().numpy()
        nn = metrics.nn_rmse(x, training)[0]
        print(f"{run}: nn-RMSE {nn:.3f} ({a.count} samples, {a.sampler}{f' {a.steps} eta {a.eta:g}' if a.sampler == 'ddim' else ''})", flush=True)


if __name__ == "__main__":
    main()
