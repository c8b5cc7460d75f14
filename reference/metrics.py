"""The milestone quality metrics with the Swift definitions (Sources/DiffusionEngine/Metrics/*).

- `nn_rmse(samples, training)`: mean over samples of the RMSE (over C*H*W, [-1, 1] units) to the
  nearest training image; exact search, float64 sums.
- `swd(samples, reference)`: sliced Wasserstein distance x 1e3 on Laplacian-pyramid patches
  (Karras et al. 2018): levels down to 16 px, 128 7x7 patches per image, per-channel
  normalisation, 4 x 128 random unit directions, W1 of the sorted projections (the exact
  integral for unequal counts), per level and mean.

SWD's patch positions and directions come from a port of the engine's `RandomGenerator`
(SplitMix64 over a Weyl sequence, Lemire's bounded integers, Box-Muller normals), seeded as the
Swift code seeds it (seed 0, streams 1, 2 and 3), so both engines measure with the same patches
and directions and agree to float rounding.

At a milestone both engines measure against `MilestoneReference` (Swift:
Sources/DiffusionEngine/Metrics/MilestoneReference.swift), made once per run: nn-RMSE against
every training image; SWD against at most `SWD_IMAGE_LIMIT` (1,024) training images, the subset
`swd_subset` draws (seed stream 4), with each direction's sorted projections kept whole up to
`ATOMS` (8,192) descriptors and as the means of `ATOMS` equal-mass slices (a quantile sketch)
past that. Below both sizes the numbers are those of `nn_rmse` and `swd` against the whole set.
"""

from __future__ import annotations

import numpy as np

M64 = (1 << 64) - 1
GOLDEN = np.uint64(0x9E3779B97F4A7C15)


def _mix_int(x: int) -> int:
    x &= M64
    x = ((x ^ (x >> 30)) * 0xBF58476D1CE4E5B9) & M64
    x = ((x ^ (x >> 27)) * 0x94D049BB133111EB) & M64
    return x ^ (x >> 31)


def _mix(z: np.ndarray) -> np.ndarray:
    with np.errstate(over="ignore"):
        z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
        z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
    return z ^ (z >> np.uint64(31))


class SwiftRandom:
    """The engine's counter-based generator: output n = mix(seed + GOLDEN * (n + 1))."""

    def __init__(self, seed: int, counter: int = 0):
        self.seed, self.counter, self.spare = seed & M64, counter, None

    def derived(self, stream: int) -> "SwiftRandom":
        return SwiftRandom(_mix_int(self.seed ^ _mix_int(stream + 0x632BE59BD9B4E019)))

    def next_u64(self, n: int) -> np.ndarray:
        k = np.arange(self.counter + 1, self.counter + 1 + n, dtype=np.uint64)
        self.counter += n
        with np.errstate(over="ignore"):
            return _mix(np.uint64(self.seed) + GOLDEN * k)

    @staticmethod
    def bounded(x: np.ndarray, bound) -> np.ndarray:
        """High 64 bits of x * bound (Lemire), for bound < 2^32."""
        bound = np.asarray(bound, dtype=np.uint64)
        hi, lo = x >> np.uint64(32), x & np.uint64(0xFFFFFFFF)
        return ((hi * bound + ((lo * bound) >> np.uint64(32))) >> np.uint64(32)).astype(np.int64)

    def normals(self, n: int) -> np.ndarray:
        """n standard normals as float32, pairs (cos, sin) in order, the spare kept."""
        out = []
        if n > 0 and self.spare is not None:
            out.append(np.array([self.spare], dtype=np.float32))
            self.spare, n = None, n - 1
        if n > 0:
            pairs = (n + 1) // 2
            u = (self.next_u64(2 * pairs) >> np.uint64(11)).astype(np.float64)
            u = (u + 1.0) * (1.0 / 9007199254740992.0)
            r = np.sqrt(-2.0 * np.log(u[0::2]))
            theta = 2.0 * np.pi * u[1::2]
            both = np.stack([r * np.cos(theta), r * np.sin(theta)], axis=1).astype(np.float32).reshape(-1)
            if n % 2:
                self.spare = both[-1]
            out.append(both[:n])
        return np.concatenate(out) if out else np.zeros(0, np.float32)


# MARK: nearest-neighbour RMSE

def nn_rmse(samples: np.ndarray, training: np.ndarray):
    """(mean RMSE as float32, per-sample RMSE, nearest index): samples (N,C,H,W), training (M,C,H,W)."""
    s = samples.reshape(samples.shape[0], -1).astype(np.float64)
    t = training.reshape(training.shape[0], -1).astype(np.float64)
    d2 = np.stack([((t - row) ** 2).sum(1) for row in s])  # (N, M)
    idx = d2.argmin(1)
    best = np.sqrt(d2[np.arange(len(s)), idx] / s.shape[1]).astype(np.float32)
    total = np.float32(0)
    for b in best:  # Swift: best.reduce(0, +) / Float(n), in float32
        total = np.float32(total + b)
    return float(np.float32(total / np.float32(len(best)))), best, idx


# MARK: Laplacian pyramid

KERNEL = np.array([1 / 16, 4 / 16, 6 / 16, 4 / 16, 1 / 16], dtype=np.float32)


def _mirror(size: int) -> np.ndarray:
    """Indices -2..size+1 mirrored without repeating the edge (d c b | a b c d | c b a)."""
    i = np.arange(-2, size + 2)
    if size == 1:
        return np.zeros_like(i)
    period = 2 * (size - 1)
    k = np.mod(i, period)
    return np.where(k < size, k, period - k)


def blur(x: np.ndarray, gain: float) -> np.ndarray:
    """gain * (g x g) * x per channel, mirrored borders, float32 in the Swift order."""
    _, _, h, w = x.shape
    xp = x[..., _mirror(w)]
    t = np.zeros_like(x)
    for k in range(5):
        t = t + KERNEL[k] * xp[..., k:k + w]
    tp = t[..., _mirror(h), :]
    o = np.zeros_like(x)
    for k in range(5):
        o = o + KERNEL[k] * tp[..., k:k + h, :]
    return np.float32(gain) * o


def pyramid(images: np.ndarray, levels: int) -> list:
    p = [images.astype(np.float32)]
    for _ in range(1, levels):
        p.append(blur(p[-1], 1)[..., ::2, ::2].copy())
    for i in range(levels - 1):
        g, small = p[i], p[i + 1]
        z = np.zeros_like(g)
        z[..., ::2, ::2] = small
        p[i] = g - blur(z, 4)
    return p


# MARK: sliced Wasserstein distance

PATCH, PER_IMAGE, PROJECTIONS, REPEATS, MIN_RES = 7, 128, 128, 4, 16


def level_resolutions(h: int, w: int) -> list:
    r, hh, res = min(h, w), h, []
    if r < MIN_RES:
        return [h] if r >= PATCH else []
    while r >= MIN_RES:
        res.append(hh)
        r, hh = (r + 1) // 2, (hh + 1) // 2
    return res


def descriptors(images: np.ndarray, stream: int, seed: int = 0):
    """(level resolutions, per level normalised descriptors (count, C*7*7) float32)."""
    n, ch, h, w = images.shape
    res = level_resolutions(h, w)
    if n == 0 or not res:
        raise ValueError(f"SWD: need at least one image of at least {PATCH}x{PATCH} pixels, got {images.shape}")
    rng = SwiftRandom(seed).derived(stream)
    p, out = PATCH, []
    for level in pyramid(images, len(res)):
        _, _, lh, lw = level.shape
        u = rng.next_u64(2 * n * PER_IMAGE)  # per patch: y then x
        ys = SwiftRandom.bounded(u[0::2], lh - p + 1)
        xs = SwiftRandom.bounded(u[1::2], lw - p + 1)
        img = np.repeat(np.arange(n), PER_IMAGE)
        dy, dx = np.meshgrid(np.arange(p), np.arange(p), indexing="ij")
        patches = level[img[:, None, None, None], np.arange(ch)[None, :, None, None],
                        (ys[:, None, None, None] + dy[None, None]), (xs[:, None, None, None] + dx[None, None])]
        desc = patches.reshape(n * PER_IMAGE, ch, p * p).astype(np.float64)
        m = desc.mean(axis=(0, 2), keepdims=True)
        var = np.maximum((desc ** 2).mean(axis=(0, 2), keepdims=True) - m * m, 0)
        sd = np.sqrt(var)
        inv = np.where(sd > 1e-12, 1 / np.where(sd > 1e-12, sd, 1), 1)
        out.append(((desc - m) * inv).astype(np.float32).reshape(n * PER_IMAGE, ch * p * p))
    return res, out


def wasserstein1(a: np.ndarray, b: np.ndarray) -> float:
    """Exact W1 of two sorted samples: the integral of |F_a^-1 - F_b^-1| over [0, 1]."""
    n, m = len(a), len(b)
    bp = np.union1d(np.arange(1, n + 1, dtype=np.int64) * m, np.arange(1, m + 1, dtype=np.int64) * n)  # units 1/(nm)
    prev = np.concatenate([[0], bp[:-1]])
    i, j = (bp - 1) // m, (bp - 1) // n
    diff = np.abs(a[i] - b[j]).astype(np.float64)  # float32 difference, as Swift
    return float(((bp - prev) / float(n * m) * diff).sum())


def swd_distance(da, db, seed: int = 0):
    """(per level x 1e3, mean) between two descriptor sets from `descriptors`."""
    res_a, la = da
    res_b, lb = db
    assert res_a == res_b, (res_a, res_b)
    rng = SwiftRandom(seed).derived(3)
    per_level = []
    for A, B in zip(la, lb):
        dim, total = A.shape[1], 0.0
        for _ in range(REPEATS):
            dirs = _directions(rng, dim)
            pa, pb = np.sort(dirs @ A.T, axis=1), np.sort(dirs @ B.T, axis=1)  # (P, count)
            total += sum(wasserstein1(pa[r], pb[r]) for r in range(PROJECTIONS))
        per_level.append(float(np.float32(total / (REPEATS * PROJECTIONS) * 1e3)))
    return per_level, _mean32(per_level)


def swd(samples: np.ndarray, reference, seed: int = 0):
    """SWD x 1e3 of samples (N,C,H,W) against a reference set (M,C,H,W), its descriptors
    (`descriptors(reference, stream=2)`) or its `swd_reference`. Returns (per level, mean)."""
    if isinstance(reference, dict):
        return _swd_against_sorted(descriptors(samples, 1, seed), reference)
    ref = reference if isinstance(reference, tuple) else descriptors(reference, 2, seed)
    return swd_distance(descriptors(samples, 1, seed), ref, seed)


def _swd_against_sorted(da, reference):
    res_a, la = da
    assert res_a == reference["levels"], (res_a, reference["levels"])
    per_level = []
    for A, rows in zip(la, reference["sorted"]):
        total = 0.0
        for dirs, pb in rows:
            pa = np.sort(dirs @ A.T, axis=1)
            total += sum(wasserstein1(pa[r], pb[r]) for r in range(PROJECTIONS))
        per_level.append(float(np.float32(total / (REPEATS * PROJECTIONS) * 1e3)))
    return per_level, _mean32(per_level)


def _mean32(per_level: list) -> float:
    mean = np.float32(0)
    for v in per_level:
        mean = np.float32(mean + np.float32(v))
    return float(np.float32(mean / np.float32(len(per_level)))) if per_level else 0.0


# MARK: the once-per-run reference of a milestone

SWD_IMAGE_LIMIT, ATOMS = 1024, 8192


def swd_subset(count: int, limit: int = SWD_IMAGE_LIMIT, seed: int = 0) -> list:
    """The images SWD keeps: all when count <= limit, else the first `limit` of the engine's
    Fisher-Yates permutation from the seed's stream 4, ascending."""
    if count <= limit:
        return list(range(count))
    u = SwiftRandom(seed).derived(4).next_u64(count - 1)
    js = SwiftRandom.bounded(u, np.arange(count, 1, -1, dtype=np.uint64))  # int(below: i + 1), i = n-1 ... 1
    p = list(range(count))
    for k, i in enumerate(range(count - 1, 0, -1)):
        j = int(js[k])
        p[i], p[j] = p[j], p[i]
    return sorted(p[:limit])


def sketch(row: np.ndarray, atoms: int) -> np.ndarray:
    """Atom a = the mean of a sorted row's quantile function over [a/atoms, (a+1)/atoms)."""
    m = len(row)
    cum = np.concatenate([[0.0], np.cumsum(row.astype(np.float64))])
    pos = np.arange(atoms + 1, dtype=np.int64) * m  # slice edges in units of 1/atoms values
    whole, part = pos // atoms, (pos % atoms) / atoms
    nxt = row.astype(np.float64)[np.minimum(whole, m - 1)]
    integral = cum[whole] + part * nxt  # the sum of the first pos/atoms values
    return ((integral[1:] - integral[:-1]) * (atoms / m)).astype(np.float32)


def swd_reference(images: np.ndarray, atoms: int = ATOMS, seed: int = 0):
    """A reference set for `swd`: per level, each direction's sorted projections (or their sketch)."""
    res, levels = descriptors(images, 2, seed)
    rng = SwiftRandom(seed).derived(3)
    out = []
    for B in levels:
        rows = []
        for _ in range(REPEATS):
            dirs = _directions(rng, B.shape[1])
            pb = np.sort(dirs @ B.T, axis=1)
            rows.append((dirs, pb if pb.shape[1] <= atoms else np.stack([sketch(r, atoms) for r in pb])))
        out.append(rows)
    return {"levels": res, "sorted": out}


def _directions(rng: SwiftRandom, dim: int) -> np.ndarray:
    dirs = rng.normals(PROJECTIONS * dim).reshape(PROJECTIONS, dim)
    norm = (dirs.astype(np.float64) ** 2).sum(1, keepdims=True)
    return dirs * (1 / np.sqrt(norm)).astype(np.float32)


class MilestoneReference:
    """The training set's side of the milestone metrics, made once per run (see the module doc)."""

    def __init__(self, training: np.ndarray, swd_image_limit: int = SWD_IMAGE_LIMIT, atoms: int = ATOMS, seed: int = 0):
        self.training, self.seed = training, seed
        self.swd_indices = swd_subset(len(training), swd_image_limit, seed)
        self.swd = swd_reference(training[self.swd_indices], atoms, seed)

    def measure(self, samples: np.ndarray):
        """(nn-RMSE, SWD per level, SWD mean) of samples (N,C,H,W)."""
        nn, _, _ = nn_rmse(samples, self.training)
        per_level, mean = swd(samples, self.swd, self.seed)
        return nn, per_level, mean
