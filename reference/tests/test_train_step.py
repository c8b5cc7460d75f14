"""The PyTorch trainer's step against Tests/DiffusionEngineTests/Fixtures/train_step_fixture.safetensors,
the file the Swift trainer is checked against (TrainStepFixtureTests.swift): one step from the
same checkpoint on the same micro-batches, under several schedules, objectives and switches."""

from __future__ import annotations

import copy
import json

import numpy as np
import pytest
import torch

import checkpoint as ckpt
import metrics
from conftest import FIXTURE
from data import TrainingSet
from options import TrainingOptions
from trainer import Trainer


def load():
    tensors, meta = ckpt.read_safetensors(FIXTURE)
    micro, j = [], 0
    while f"batch.{j}.x0" in tensors:
        micro.append((torch.from_numpy(tensors[f"batch.{j}.x0"]), torch.from_numpy(tensors[f"batch.{j}.t"]).long(),
                      torch.from_numpy(tensors[f"batch.{j}.noise"])))
        j += 1
    data = TrainingSet(torch.cat([m[0] for m in micro]), micro[0][0].shape[-1])
    return tensors, meta, micro, data


def rel(a, b) -> float:
    a, b = np.asarray(a, np.float64), np.asarray(b, np.float64)
    return float(np.max(np.abs(a - b) / np.maximum(np.abs(b), 1e-30)))


def family_errors(tr, arena, tensors, prefix):
    """(max |diff|, worst per-tensor max |diff| / max |ref|)."""
    worst_abs = worst_rel = 0.0
    for n, t in zip(tr.names, arena):
        ref = tensors[prefix + n]
        d = float(np.abs(t.detach().cpu().numpy() - ref).max())
        worst_abs, worst_rel = max(worst_abs, d), max(worst_rel, d / max(float(np.abs(ref).max()), 1e-30))
    return worst_abs, worst_rel


def test_one_step_matches_the_fixture():
    tensors, meta, micro, data = load()
    tr = Trainer.resume(FIXTURE, data)
    assert (tr.step, tr.adam_step, tr.options.accumulate) == (5, 5, len(micro))
    r = tr.train_step_on(micro)
    assert tr.step == 6 and tr.adam_step == 6
    assert rel(r.loss, tensors["expected.loss"][0]) <= 1e-5
    assert rel([l for _, l in r.per_sample], tensors["expected.per_sample"]) <= 1e-5
    assert [t for t, _ in r.per_sample] == [int(t) for m in micro for t in m[1]]
    assert rel(r.grad_norm, tensors["expected.grad_norm"][0]) <= 1e-5
    assert r.grad_norm > tr.options.maxGradNorm  # clipping was active
    assert rel([p.grad.double().norm().item() for p in tr.params], tensors["expected.grad_norms"]) <= 1e-4
    p = family_errors(tr, tr.params, tensors, "expected.param.")
    e = family_errors(tr, tr.ema, tensors, "expected.ema.")
    m = family_errors(tr, tr.adam_m, tensors, "expected.adam.m.")
    v = family_errors(tr, tr.adam_v, tensors, "expected.adam.v.")
    print(f"params {p}, ema {e}, adam.m {m}, adam.v {v}")
    assert p[0] <= 1e-5 and e[0] <= 1e-5 and m[1] <= 1e-4 and v[1] <= 1e-4


def test_other_switches_match_the_fixture(tmp_path):
    tensors, meta, micro, data = load()
    cases = json.loads(meta["cases"])
    assert len(cases) >= 3
    for name in cases:
        # The same checkpoint with the case's options, as the Swift test does.
        path = str(tmp_path / f"{name}.safetensors")
        ckpt.write_safetensors(path, {k: v for k, v in tensors.items()}, {**meta, "options": meta[f"case.{name}.options"]})
        tr = Trainer.resume(path, data)
        r = tr.train_step_on(copy.deepcopy(micro))
        assert rel(r.loss, tensors[f"case.{name}.loss"][0]) <= 1e-5, name
        assert rel([l for _, l in r.per_sample], tensors[f"case.{name}.per_sample"]) <= 1e-5, name
        assert rel(r.grad_norm, tensors[f"case.{name}.grad_norm"][0]) <= 1e-5, name
        assert rel([p.grad.double().norm().item() for p in tr.params], tensors[f"case.{name}.grad_norms"]) <= 1e-4, name


def test_milestone_metrics_match_the_fixture():
    tensors, _, _, _ = load()
    nn, _, _ = metrics.nn_rmse(tensors["metrics.samples"], tensors["metrics.reference"])
    per_level, swd = metrics.swd(tensors["metrics.samples"], tensors["metrics.reference"])
    assert rel(nn, tensors["metrics.nn_rmse"][0]) <= 1e-6
    assert rel(per_level, tensors["metrics.swd_per_level"]) <= 1e-5 and len(per_level) == 2
    assert rel(swd, tensors["metrics.swd"][0]) <= 1e-5


def test_swift_random_generator_port():
    """Known outputs of the engine's RandomGenerator (SplitMix64 of the Weyl sequence)."""
    g = metrics.SwiftRandom(0)
    first = g.next_u64(2)
    assert int(first[0]) == 0xE220A8397B1DCDAF and int(first[1]) == 0x6E789E6AA1B965F4  # SplitMix64(0)
    assert metrics.SwiftRandom.bounded(np.array([2**63], dtype=np.uint64), 10)[0] == 5
    n = metrics.SwiftRandom(5).normals(10001)
    assert abs(float(n.mean())) < 0.05 and abs(float(n.std()) - 1) < 0.05


def test_fixture_is_up_to_date(tmp_path):
    """Regenerating the fixture gives the committed file: the same inputs and metadata, the same
    expected values up to the last float32 bit (another torch build may round float64 work
    differently). The generator writes the same bytes in the same environment."""
    import make_train_fixture

    threads = torch.get_num_threads()
    try:
        make_train_fixture.main(str(tmp_path / "f.safetensors"))
    finally:
        torch.use_deterministic_algorithms(False)
        torch.backends.mkldnn.enabled = True
        torch.set_num_threads(threads)
    old_t, old_m = ckpt.read_safetensors(FIXTURE)
    new_t, new_m = ckpt.read_safetensors(str(tmp_path / "f.safetensors"))
    assert {k: v for k, v in old_m.items() if k != "torch"} == {k: v for k, v in new_m.items() if k != "torch"}
    assert set(old_t) == set(new_t)
    for k, v in old_t.items():
        assert np.allclose(new_t[k], v, rtol=1e-6, atol=1e-12), k


def test_learning_rate_schedule_matches_the_fixture():
    """Warm-up and cosine decay: the rate of steps 1...12 (past the end: the floor) as the fixture
    computes it, and the rate the trainer's Adam step uses."""
    tensors, meta, micro, data = load()
    o = TrainingOptions.from_json(meta["lr.options"])
    assert (o.warmupSteps, o.lrDecay) == (4, "cosine")
    rates = [float(o.learning_rate_at(k)) for k in range(1, 13)]
    assert rel(rates, tensors["lr.rates"]) <= 1e-7
    assert rates[0] < rates[3] and rates[-1] == pytest.approx(0.1 * float(np.float32(o.learningRate)), rel=1e-6)
    assert TrainingOptions.from_json(o.to_json()).to_json() == o.to_json()


def test_flip_augmentation_mirrors_the_centre_window():
    """`augment = "flip"`: the centre window, mirrored for about half of the draws; no crops."""
    g = torch.Generator().manual_seed(3)
    images = torch.arange(2 * 3 * 6 * 6, dtype=torch.float32).reshape(2, 3, 6, 6)
    ds = TrainingSet(images, 4)
    top, left, flip = ds.draw_crops(200, "flip", g)
    assert (top == 1).all() and (left == 1).all() and 60 < int(flip.sum()) < 140
    centre = images[0, :, 1:5, 1:5]
    b = ds.batch([0, 0], (top[:2], left[:2], torch.tensor([False, True])))
    assert torch.equal(b[0], centre) and torch.equal(b[1], centre.flip(-1))
