"""Training options, the twin of Swift's `TrainingOptions` (Sources/DiffusionEngine/Training/).

`TrainingOptions` holds the same fields under the same Codable keys, so `to_json()` is the
`options` metadata of a checkpoint and `from_json()` reads one written by `ddpm train`. The JSON
is written as Swift's `JSONEncoder` with `.sortedKeys` writes it (Float fields as the shortest
float32 decimal, whole numbers without ".0"), so both engines write the same bytes.

Also here: the fix switches (`FixSet`, compact form `fwd=precomputed,t0=mean,...` with presets
`fixed` and `course`, as `FixSet+String.swift`), the `--model k=v,...` changes
(`FlagValues.model`) and the two sets of defaults: `ddpm train`'s (the course's) and the
workbench's (`TrainingOptions.interactive`, `--recipe workbench`).
"""

from __future__ import annotations

import copy
import json
import math
from dataclasses import asdict, dataclass, field, fields

import numpy as np

from unet import PRESETS, UNetConfig

SCHEDULES = ["linear", "cosine", "quadratic", "sigmoid"]
OBJECTIVES = ["epsilon", "x0", "v"]
LR_DECAYS = ["constant", "cosine"]
LR_FLOOR = 0.1  # the fraction of the base rate a cosine decay ends at (`LearningRateDecay.floor`)
AUGMENT_JSON = {"off": False, "flip": "flip", "crop-flip": True}  # `--augment MODE` -> the JSON value
F32 = np.float32

# MARK: fix switches (FixSwitch.swift): key, Codable field, Codable values, CLI tokens (first = fixed)
SWITCHES = [
    ("fwd", "forwardCoefficients", ["precomputed", "sqrtAtCallTime", "sqrtOfSqrt"], ["precomputed", "sqrt-at-call", "sqrt-of-sqrt"]),
    ("t0", "finalStep", ["posteriorMean", "xRecon"], ["mean", "xrecon"]),
    ("input", "lossInput", ["xt", "x0"], ["xt", "x0"]),
    ("extract", "extraction", ["usedOnly", "allNine"], ["5", "all"]),
    ("clip", "clipXRecon", [True, False], ["on", "off"]),
    ("var", "reverseVariance", ["posterior", "beta"], ["posterior", "beta"]),
    ("loss", "loss", ["l1", "l2"], ["l1", "l2"]),
]


@dataclass
class FixSet:
    forwardCoefficients: str = "precomputed"
    finalStep: str = "posteriorMean"
    lossInput: str = "xt"
    extraction: str = "usedOnly"
    clipXRecon: bool = True
    reverseVariance: str = "posterior"
    loss: str = "l1"

    def describe(self) -> str:
        """The full compact form (`FixSet.description`)."""
        return ",".join(f"{key}={tokens[values.index(getattr(self, name))]}" for key, name, values, tokens in SWITCHES)

    @staticmethod
    def course() -> "FixSet":
        return FixSet("sqrtAtCallTime", "xRecon", "x0", "allNine", True, "posterior", "l1")

    @staticmethod
    def parse(text: str, base: "FixSet | None" = None) -> "FixSet":
        """`FixSet(parsing:base:)`: items left to right; `key=value` sets a switch, a preset name
        replaces the whole set; case-insensitive; spaces around items ignored."""
        f = copy.copy(base) if base is not None else FixSet()
        presets = {"fixed": FixSet, "course": FixSet.course}
        keys = ", ".join(s[0] for s in SWITCHES)
        for raw in text.split(","):
            item = raw.strip(" \t").lower()
            if not item:
                if not text.strip(" \t"):
                    continue
                raise ValueError(f'fix switches "{text}": empty item; separate key=value items with single commas')
            if "=" not in item:
                if item not in presets:
                    raise ValueError(f'fix switches: "{item}" is neither key=value nor a preset; presets: course, fixed; keys: {keys}')
                f = presets[item]()
                continue
            key, value = (s.strip(" \t") for s in item.split("=", 1))
            sw = next((s for s in SWITCHES if s[0] == key), None)
            if sw is None:
                raise ValueError(f'fix switches: unknown switch "{key}" in "{item}"; valid switches: {keys}')
            if value not in sw[3]:
                raise ValueError(f'fix switches: bad value "{value}" for {key}; valid values: {", ".join(sw[3])}')
            setattr(f, sw[1], sw[2][sw[3].index(value)])
        return f

    @staticmethod
    def from_dict(d: dict) -> "FixSet":
        """Missing keys take their default (as Swift's decoder); unknown values are errors."""
        f = FixSet()
        for _, name, values, _ in SWITCHES:
            if name in d:
                if d[name] not in values:
                    raise ValueError(f"fixes: {name} = {d[name]!r} is not one of {values}")
                setattr(f, name, d[name])
        return f


@dataclass
class TrainingOptions:
    """Field names and defaults are Swift's (`ddpm train`'s defaults, the course's)."""

    preset: str = "tiny"
    model: UNetConfig = field(default_factory=lambda: copy.deepcopy(PRESETS["tiny"]))
    schedule: str = "linear"
    timesteps: int = 1000
    objective: str = "epsilon"
    fixes: FixSet = field(default_factory=FixSet)
    batchSize: int = 32
    learningRate: float = 1e-3
    steps: int = 10_000
    accumulate: int = 2
    maxGradNorm: float = 1.0
    emaDecay: float = 0.995
    emaEvery: int = 10
    emaStartStep: int = 2000
    saveEvery: int = 1000
    seed: int = 0
    augment: "bool | str" = True  # the JSON value: False (off), True (crop-flip) or "flip"
    sampleCount: int = 16
    milestoneSamplingSteps: int = 100
    milestoneEta: float = 1.0  # DDIM eta of milestone grids (older runs, without the key: 0)
    warmupSteps: int = 0
    lrDecay: str = "constant"
    minSNR: float = 0.0

    # Written only when not their default, as Swift does (older runs' JSON stays byte-identical).
    OPTIONAL = {"warmupSteps": 0, "lrDecay": "constant", "minSNR": 0.0, "milestoneEta": 0.0}

    @staticmethod
    def workbench() -> "TrainingOptions":
        """`TrainingOptions.interactive`: the workbench's defaults (`--recipe workbench`)."""
        return TrainingOptions(preset="tiny", model=copy.deepcopy(PRESETS["tiny"]), batchSize=16, accumulate=1,
                               steps=3000, saveEvery=500, emaEvery=1, emaDecay=0.995, emaStartStep=100,
                               warmupSteps=100, lrDecay="cosine", minSNR=5.0, augment=False)

    def to_dict(self) -> dict:
        d = {f.name: getattr(self, f.name) for f in fields(self)}
        d["model"] = asdict(self.model)
        d["fixes"] = asdict(self.fixes)
        for k, default in TrainingOptions.OPTIONAL.items():
            if d[k] == default:
                del d[k]
        return d

    def to_json(self) -> str:
        return swift_json(self.to_dict(), floats={"learningRate", "maxGradNorm", "emaDecay", "minSNR", "milestoneEta"})

    @property
    def augment_mode(self) -> str:
        """`Augmentation`: off, flip or crop-flip."""
        return self.augment if isinstance(self.augment, str) else ("crop-flip" if self.augment else "off")

    def learning_rate_at(self, k: int) -> np.float32:
        """`LearningRateDecay.rate`: the rate of step k (1-based), in float64, rounded once."""
        warm = min(1.0, k / self.warmupSteps) if self.warmupSteps > 0 else 1.0
        decay = 1.0
        if self.lrDecay == "cosine":
            w = min(self.warmupSteps, self.steps - 1)
            p = min(1.0, max(0.0, (k - w) / max(1, self.steps - w)))
            decay = LR_FLOOR + (1 - LR_FLOOR) * (1 + math.cos(math.pi * p)) / 2
        return F32(float(np.float32(self.learningRate)) * warm * decay)

    @staticmethod
    def from_json(text: str) -> "TrainingOptions":
        """Swift's decoder: a missing key takes the default, except `emaStartStep` (0: checkpoints
        written before it existed averaged from the first step). Unknown keys are ignored."""
        d = json.loads(text)
        o = TrainingOptions()
        for f in fields(o):
            if f.name in d:
                setattr(o, f.name, d[f.name])
        if "emaStartStep" not in d:
            o.emaStartStep = 0
        if "model" in d:
            o.model = UNetConfig(**d["model"])
        o.fixes = FixSet.from_dict(d.get("fixes", {}))
        if "milestoneEta" not in d:
            o.milestoneEta = 0.0
        for name in ("learningRate", "maxGradNorm", "emaDecay", "minSNR", "milestoneEta"):
            setattr(o, name, float(getattr(o, name)))
        return o

    def validate(self):
        """`TrainingOptions.validate` (plus the UNet config's checks); messages name the flag."""
        validate_model(self.model)
        checks = [
            (self.batchSize >= 1, f"--batch must be at least 1 (got {self.batchSize})"),
            (self.steps >= 1, f"--steps must be at least 1 (got {self.steps})"),
            (self.accumulate >= 1, f"--accumulate must be at least 1 (got {self.accumulate})"),
            (self.saveEvery >= 1, f"--save-every must be at least 1 (got {self.saveEvery})"),
            (self.learningRate > 0 and math.isfinite(self.learningRate), f"--lr must be a positive number (got {self.learningRate})"),
            (2 <= self.timesteps <= 100_000, f"--timesteps must be between 2 and 100000 (got {self.timesteps})"),
            (self.maxGradNorm > 0, f"--clip must be positive (got {self.maxGradNorm})"),
            (0 <= self.emaDecay < 1, f"--ema-decay must be in [0, 1) (got {self.emaDecay})"),
            (1 <= self.sampleCount <= 256, f"--samples must be between 1 and 256 (got {self.sampleCount})"),
            (self.milestoneSamplingSteps >= 0, f"--sample-steps {self.milestoneSamplingSteps}: use 0 (full DDPM) or a positive DDIM step count"),
            (0 <= self.seed < 2**64, f"--seed must be a whole number in 0...{2**64 - 1} (got {self.seed})"),
            (self.schedule in SCHEDULES, f"--schedule: unknown schedule '{self.schedule}'; choose {', '.join(SCHEDULES)}"),
            (self.objective in OBJECTIVES, f"--objective: unknown objective '{self.objective}'; choose epsilon, x0 or v"),
            (self.augment in (False, True, "flip"), f"--augment: unknown augmentation '{self.augment}'; choose off, flip or crop-flip"),
            (0 <= self.milestoneEta <= 1, f"--sample-eta must be in [0, 1] (got {self.milestoneEta})"),
            (self.warmupSteps >= 0, f"--warmup must be 0 or more (got {self.warmupSteps})"),
            (self.lrDecay in LR_DECAYS, f"--lr-decay: unknown decay '{self.lrDecay}'; choose constant or cosine"),
            (self.minSNR >= 0 and math.isfinite(self.minSNR), f"--min-snr must be 0 (off) or positive (got {self.minSNR})"),
        ]
        for ok, msg in checks:
            if not ok:
                raise ValueError(msg)


def validate_model(c: UNetConfig):
    """`UNetConfig.validate`."""
    if not (c.imageSize > 0 and c.channels > 0 and c.dim > 0 and c.resBlocks > 0 and c.channelMults):
        raise ValueError("UNet config: imageSize, channels, dim, resBlocks and channelMults must be positive")
    if c.dim % 2 or c.dim < 4:
        raise ValueError(f"UNet config: dim {c.dim} must be even and at least 4")
    down = 1 << (len(c.channelMults) - 1)
    if c.imageSize % down:
        raise ValueError(f"UNet config: imageSize {c.imageSize} must be divisible by 2^(levels-1) = {down}")
    for m in c.channelMults:
        if (c.dim * m) % c.groups:
            raise ValueError(f"UNet config: channels {c.dim * m} are not divisible by groups {c.groups}")
    if c.attentionHeads <= 0 or c.attentionHeadDim <= 0:
        raise ValueError("UNet config: attention heads and head dim must be positive")


# `--model` keys as `FlagValues.modelKeys` lists them: (UNetConfig field, dash-separated list?, min, max).
MODEL_KEYS = {
    "image-size": ("imageSize", False, 4, 1024), "channels": ("channels", False, 1, 3), "dim": ("dim", False, 4, 1024),
    "mults": ("channelMults", True, 1, 16), "res-blocks": ("resBlocks", False, 1, 8),
    "attention": ("attentionResolutions", True, 1, 1024), "heads": ("attentionHeads", False, 1, 64),
    "head-dim": ("attentionHeadDim", False, 1, 1024), "groups": ("groups", False, 1, 1024),
}


def model_changes(text: str, base: UNetConfig) -> UNetConfig:
    """`--model key=value,...` (`FlagValues.model`): image-size, channels (1 or 3), dim, mults
    (1-2-2), res-blocks, attention (16-8 or none), heads, head-dim, groups."""
    c = copy.deepcopy(base)

    def num(key, v, lo, hi):
        try:
            n = int(v)
        except ValueError:
            n = None
        if n is None or not lo <= n <= hi:
            raise ValueError(f"--model: {key}={v} must be a whole number in {lo}...{hi}")
        return n

    def nums(key, v, lo, hi):
        return [] if v.lower() == "none" else [num(key, s, lo, hi) for s in v.split("-")]

    for item in (s for s in text.split(",") if s):
        kv = [s.strip() for s in item.split("=", 1)]
        if len(kv) != 2 or not kv[1]:
            raise ValueError(f"--model: '{item}' is not key=value; e.g. --model res-blocks=2,attention=16")
        k, v = kv[0].lower(), kv[1]
        if k not in MODEL_KEYS:
            raise ValueError(f"--model: unknown key '{kv[0]}'; use {', '.join(list(MODEL_KEYS)[:-1])} or {list(MODEL_KEYS)[-1]}")
        field, many, lo, hi = MODEL_KEYS[k]
        setattr(c, field, nums(k, v, lo, hi) if many else num(k, v, lo, hi))
        if k == "channels" and c.channels == 2:
            raise ValueError(f"--model: channels={v} must be 1 or 3")
    if not c.channelMults:
        raise ValueError("--model: mults needs at least one level, e.g. mults=1-2-2")
    validate_model(c)
    return c


# MARK: JSON as Swift's JSONEncoder writes it

def f32_text(x: float) -> str:
    """A Float as Swift's JSONEncoder writes it: the shortest decimal that reads back as the
    same float32, whole numbers without a fraction (1.0 -> 1)."""
    v = np.float32(x)
    if not np.isfinite(v):
        raise ValueError(f"JSON has no {x}")
    if float(v) == int(v) and abs(v) < 2**53:
        return str(int(v))
    return repr(float(str(v)))


def swift_json(value, floats=frozenset()) -> str:
    """Sorted keys, no spaces, no escaped slashes; keys named in `floats` (and every float
    inside them) are written as Float. Other floats are written as Python writes a double."""

    def enc(v, as_f32):
        if isinstance(v, bool):
            return "true" if v else "false"
        if isinstance(v, int):
            return str(v)
        if isinstance(v, float):
            return f32_text(v) if as_f32 else json.dumps(v)
        if isinstance(v, str):
            return json.dumps(v, ensure_ascii=False)
        if isinstance(v, (list, tuple)):
            return "[" + ",".join(enc(x, as_f32) for x in v) + "]"
        if isinstance(v, dict):
            return "{" + ",".join(f"{json.dumps(k, ensure_ascii=False)}:{enc(v[k], as_f32 or k in floats)}" for k in sorted(v)) + "}"
        raise TypeError(f"swift_json: cannot encode {type(v)}")

    return enc(value, False)


def float_list_json(values) -> str:
    """A [Float] as Swift's JSONEncoder writes it (non-finite values must be mapped first)."""
    return "[" + ",".join(f32_text(v) for v in values) + "]"
