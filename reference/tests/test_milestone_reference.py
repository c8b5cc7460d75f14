"""metrics.MilestoneReference, the once-per-run reference of a milestone (issue 13): the whole-set
numbers where nothing is subsampled or sketched, the engine's subset, a sketch within its bound."""

from __future__ import annotations

import numpy as np

import metrics


def smooth(n: int, seed: int, size: int = 32) -> np.ndarray:
    rs = np.random.RandomState(seed)
    yy, xx = np.meshgrid(np.linspace(0, 1, size), np.linspace(0, 1, size), indexing="ij")
    f = rs.uniform(1, 6, (n, 3, 2))
    ph = rs.uniform(0, 6, (n, 3))
    return np.sin(f[..., 0, None, None] * 3 * xx + f[..., 1, None, None] * 2 * yy + ph[..., None, None]).astype(np.float32)


def test_subset_is_the_engines():
    assert metrics.swd_subset(10, 4, 0) == [1, 4, 5, 9]  # MilestoneReferenceTests.pinnedSubset
    assert metrics.swd_subset(5, 8) == [0, 1, 2, 3, 4]
    a = metrics.swd_subset(1000, 100)
    assert a == sorted(set(a)) and len(a) == 100 and a == metrics.swd_subset(1000, 100)


def test_whole_set_numbers_when_nothing_is_cut():
    images, samples = smooth(5, 1), smooth(2, 2)
    ref = metrics.MilestoneReference(images)
    nn, per_level, swd = ref.measure(samples)
    assert ref.swd_indices == list(range(5))
    assert nn == metrics.nn_rmse(samples, images)[0]
    assert (per_level, swd) == metrics.swd(samples, images)


def test_sketch_keeps_the_mean_and_stays_within_its_bound():
    row = np.sort(np.random.RandomState(3).standard_normal(1000).astype(np.float32))
    assert np.array_equal(metrics.sketch(row, 1000), row)
    s = metrics.sketch(row, 64)
    assert np.all(np.diff(s) >= 0) and abs(float(s.mean()) - float(row.astype(np.float64).mean())) < 1e-6
    other = np.sort(np.random.RandomState(4).standard_normal(300).astype(np.float32))
    gap = abs(metrics.wasserstein1(other, s) - metrics.wasserstein1(other, row))
    assert gap <= metrics.wasserstein1(row, s) + 1e-7


def test_subset_and_sketch_match_the_engine():
    """The Swift test `milestoneReferenceMatchesTheTwin` pins the same three numbers."""
    from conftest import FIXTURE
    from safetensors.numpy import load_file
    t = load_file(FIXTURE)
    ref = metrics.MilestoneReference(t["metrics.reference"], swd_image_limit=3, atoms=200)
    nn, per_level, swd = ref.measure(t["metrics.samples"])
    assert ref.swd_indices == [2, 3, 4]
    assert abs(nn - 0.803821861743927) < 1e-6
    assert np.allclose(per_level, [105.21692657470703, 222.3206024169922], rtol=1e-6) and abs(swd - 163.76876831054688) < 1e-3
