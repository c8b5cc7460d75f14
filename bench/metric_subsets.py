"""Does SWD against a fixed subset of the training set give the whole set's figure? (issue 13)

    "$(scripts/python-env)" bench/metric_subsets.py --data /tmp/ms-data/n3000 --samples GRID.png \
        [--heldout /tmp/ms-data/n15000 --heldout-from 4009] [--sizes 256,512,1024,2048] [--seeds 5]

With reference/metrics.py (the twin of the engine's metrics, equal to float rounding): the training
set is loaded as both engines load it (32 px centre crops). Sample sets: the 16 images of a
milestone grid PNG (`--samples`, a 4x4 torchvision grid with 2 px padding) and 16 images of the
same distribution (`--heldout`: images from index `--heldout-from` on, not in the training set;
`--draws` sets of them). For each sample set it prints SWD against:
- the whole set with SWD seeds 0..seeds-1 (the metric's own noise: patches and directions),
- subsets of K images (seeds 0..seeds-1 of the subset; seed 0 is the engine's, `swd_subset`),
  whole-projection and with the 8,192-atom sketch (the engine's `MilestoneReference`),
- for the held-out sets, other draws of 16 images (a milestone's sampling noise).
W1 of unequal counts is computed without merging (each reference value's mass split over the
sample quantiles it straddles), equal to metrics.wasserstein1.
"""
from __future__ import annotations

import argparse
import os
import sys
import time

import numpy as np
from PIL import Image

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "reference"))
import data  # noqa: E402
import metrics  # noqa: E402


def w1(a: np.ndarray, b: np.ndarray) -> float:
    """metrics.wasserstein1 in O(n + m): a (n,) and b (m,) ascending, m >= n."""
    n, m = len(a), len(b)
    j = np.arange(m, dtype=np.int64)
    lo, hi = j * n, (j + 1) * n  # b_j covers [lo, hi) in units of 1/(nm)
    i0, i1 = lo // m, (hi - 1) // m  # the a quantiles at both ends (i1 <= i0 + 1 since n <= m)
    split = np.minimum((i0 + 1) * m, hi)
    a64, b64 = a.astype(np.float32), b.astype(np.float32)
    total = ((split - lo) * np.abs(a64[i0] - b64).astype(np.float64)).sum()
    total += ((hi - split) * np.abs(a64[np.minimum(i1, n - 1)] - b64).astype(np.float64)).sum()
    return float(total / (n * m))


def reference(images: np.ndarray, seed: int, atoms: int | None):
    res, levels = metrics.descriptors(images, 2, seed)
    rng = metrics.SwiftRandom(seed).derived(3)
    out = []
    for B in levels:
        rows = []
        for _ in range(metrics.REPEATS):
            dirs = metrics._directions(rng, B.shape[1])
            pb = np.sort(dirs @ B.T, axis=1)
            if atoms is not None and pb.shape[1] > atoms:
                pb = np.stack([metrics.sketch(r, atoms) for r in pb])
            rows.append((dirs, pb))
        out.append(rows)
    return res, out


def swd(samples: np.ndarray, ref, seed: int) -> float:
    res, levels = metrics.descriptors(samples, 1, seed)
    assert res == ref[0]
    per = []
    for A, rows in zip(levels, ref[1]):
        total = 0.0
        for dirs, pb in rows:
            pa = np.sort(dirs @ A.T, axis=1)
            total += sum(w1(pa[r], pb[r]) if pb.shape[1] >= pa.shape[1] else metrics.wasserstein1(pa[r], pb[r])
                         for r in range(metrics.PROJECTIONS))
        per.append(total / (metrics.REPEATS * metrics.PROJECTIONS) * 1e3)
    return float(np.mean(per))


def grid_samples(path: str, size: int = 32, pad: int = 2) -> np.ndarray:
    g = np.asarray(Image.open(path).convert("RGB"), dtype=np.float32) / 255 * 2 - 1
    cols = (g.shape[1] - pad) // (size + pad)
    rows = (g.shape[0] - pad) // (size + pad)
    out = [g[pad + r * (size + pad):pad + r * (size + pad) + size, pad + c * (size + pad):pad + c * (size + pad) + size]
           for r in range(rows) for c in range(cols)]
    return np.stack(out).transpose(0, 3, 1, 2).copy()


def crops(root: str, size: int = 32) -> np.ndarray:
    x = data.load_folder(root, size)
    x = x[0] if isinstance(x, tuple) else x
    x = x.numpy() if hasattr(x, "numpy") else np.asarray(x)
    s = (x.shape[-1] - size) // 2
    return np.ascontiguousarray(x[:, :, s:s + size, s:s + size]).astype(np.float32)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--data", required=True)
    ap.add_argument("--samples", help="a milestone grid PNG (16 samples)")
    ap.add_argument("--heldout", help="a folder with more images of the same kind")
    ap.add_argument("--heldout-from", type=int, default=0, help="first index of --heldout not in --data")
    ap.add_argument("--draws", type=int, default=5)
    ap.add_argument("--sizes", default="256,512,1024,2048")
    ap.add_argument("--seeds", type=int, default=5)
    ap.add_argument("--atoms", type=int, default=metrics.ATOMS)
    args = ap.parse_args()

    t0 = time.time()
    train = crops(args.data)
    print(f"training set {args.data}: {train.shape}, loaded in {time.time() - t0:.0f} s; load avg {os.getloadavg()[0]:.1f}", flush=True)
    sets = {}
    if args.samples:
        sets["grid"] = grid_samples(args.samples)
    draws = []
    if args.heldout:
        extra = crops(args.heldout)[args.heldout_from:]
        rs = np.random.RandomState(0)
        draws = [extra[rs.choice(len(extra), 16, replace=False)] for _ in range(args.draws)]
        sets["held-out"] = draws[0]
    for name, s in sets.items():
        print(f"\n## samples: {name} ({len(s)} images)")
        full = [swd(s, reference(train, seed, None), seed) for seed in range(args.seeds)]
        print(f"whole set ({len(train)}), SWD seeds 0-{args.seeds - 1}: " + ", ".join(f"{v:.2f}" for v in full)
              + f"  (mean {np.mean(full):.2f}, sd {np.std(full, ddof=1):.2f})", flush=True)
        if name == "held-out":
            other = [swd(d, reference(train, 0, None), 0) for d in draws]
            print(f"whole set, seed 0, {len(draws)} draws of 16 held-out images: " + ", ".join(f"{v:.2f}" for v in other)
                  + f"  (sd {np.std(other, ddof=1):.2f})", flush=True)
        for k in [int(v) for v in args.sizes.split(",")]:
            if k >= len(train):
                continue
            exact, sketched = [], []
            for seed in range(args.seeds):
                idx = metrics.swd_subset(len(train), k, seed)
                exact.append(swd(s, reference(train[idx], 0, None), 0))
                sketched.append(swd(s, reference(train[idx], 0, args.atoms), 0))
            print(f"subset K={k}, subset seeds 0-{args.seeds - 1}: " + ", ".join(f"{v:.2f}" for v in exact)
                  + f"  (mean {np.mean(exact):.2f}, sd {np.std(exact, ddof=1):.2f}, vs whole seed 0 {np.mean(exact) - full[0]:+.2f});"
                  + f" with the {args.atoms}-atom sketch: " + ", ".join(f"{v:.2f}" for v in sketched)
                  + f" (max |sketch - exact| {max(abs(a - b) for a, b in zip(exact, sketched)):.3f})", flush=True)
    print(f"\n{time.time() - t0:.0f} s; load avg {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
