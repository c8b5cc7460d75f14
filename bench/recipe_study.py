"""The recipe study of issue 13: train the workbench recipe with one knob changed on small sets.

    "$(scripts/python-env)" bench/make_subsets.py ../shared/data/twemoji-72 /tmp/recipe
    "$(scripts/python-env)" bench/recipe_study.py run /tmp/recipe /tmp/recipe-runs food,objects base no-augment
    "$(scripts/python-env)" bench/recipe_study.py table /tmp/recipe-runs

`run SETS KNOBS` trains each knob (parts from PARTS below joined by +: the flags they add to
`ddpm train --recipe workbench`) on each set (a folder under the data root; `faces` = the built-in
faces) for --steps (3,000: about five minutes of a quiet 2-core machine) with a milestone every 500
steps, one run at a time, into OUT/SET/KNOB (a finished run is skipped). `untrained` is the
step-1 milestone: the untrained model's nn-RMSE, the figure the target divides by.

`table` prints, per set and knob, nn-RMSE and SWD at each milestone, the ratio of the untrained
nn-RMSE to the last milestone's, the training seconds to the last step (the sum of
`step_seconds`: milestone time and load excluded, so runs on a loaded machine compare) and the
wall time from the start line to the final grid.
"""
import json
import os
import subprocess
import sys

DDPM = os.environ.get("DDPM", ".build/release/ddpm")

# A knob name is parts joined by "+" ("off+cosine"): each part's flags, in order (a later --steps wins).
PARTS = {
    "base": [],
    "untrained": ["--steps", "1", "--save-every", "1"],
    "no-augment": ["--no-augment"],
    "off": ["--augment", "off"],
    "flip": ["--augment", "flip"],
    "crop-flip": ["--augment", "crop-flip"],
    "cosine": ["--warmup", "100", "--lr-decay", "cosine"],
    "warmup": ["--warmup", "200"],
    "minsnr5": ["--min-snr", "5"],
    "lr2e-3": ["--lr", "2e-3"],
    "lr5e-4": ["--lr", "5e-4"],
    "ema999": ["--ema-decay", "0.999"],
    "ema99": ["--ema-decay", "0.99"],
    # Twice the images per step: half the steps, so the same images and about the same time.
    "batch32": ["--batch", "32", "--steps", "1500", "--save-every", "250"],
    "batch8": ["--batch", "8", "--steps", "6000", "--save-every", "1000"],
    # The workbench recipe before issue 13 (on a binary that has the new flags): crops and flips
    # for folders (none for the built-in faces: old-faces), a constant rate, unweighted loss,
    # deterministic milestone grids.
    "old": ["--augment", "crop-flip", "--warmup", "0", "--lr-decay", "constant", "--min-snr", "0", "--sample-eta", "0"],
    "old-faces": ["--augment", "off", "--warmup", "0", "--lr-decay", "constant", "--min-snr", "0", "--sample-eta", "0"],
    "ddpm": ["--sample-steps", "0"],
    "ddim50": ["--sample-steps", "50"],
}


def knob_flags(knob: str) -> list:
    return [f for part in knob.split("+") for f in PARTS[part]]


def run(data_root: str, out: str, sets: str, knobs: list, steps: int = 3000) -> None:
    for knob in knobs:
        for s in sets.split(","):
            folder = os.path.join(out, s, knob)
            if os.path.exists(os.path.join(folder, "samples", "step-final.png")):
                continue
            flags = ["--steps", str(steps), "--save-every", "500"] + knob_flags(knob)
            data = [] if s == "faces" else ["--data", os.path.join(data_root, s)]
            cmd = [DDPM, "train", "--recipe", "workbench", "--out", folder, "--log-every", "500"] + data + flags
            print(" ".join(cmd), flush=True)
            subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL)


def read(folder: str):
    milestones, seconds, t = [], {}, 0.0
    with open(os.path.join(folder, "metrics.jsonl")) as f:
        for line in f:
            e = json.loads(line)
            if e.get("event") == "start":
                seconds["start"] = e["wall_time"]
            if "step_seconds" in e:
                t += e["step_seconds"]
                seconds[e["step"]] = t
            elif e.get("event") in ("milestone", "final") and "nn_rmse" in e:
                if not milestones or milestones[-1][0] != e["step"]:
                    milestones.append((e["step"], e["nn_rmse"], e["swd"]))
    return milestones, seconds


def table(out: str) -> None:
    for s in sorted(os.listdir(out)):
        base = os.path.join(out, s, "untrained")
        untrained = read(base)[0][0][1] if os.path.exists(base) else None
        print(f"\n{s} (untrained nn-RMSE {untrained:.3f})" if untrained else f"\n{s}")
        for knob in sorted(os.listdir(os.path.join(out, s))):
            if knob == "untrained":
                continue
            try:
                ms, secs = read(os.path.join(out, s, knob))
            except (OSError, IndexError):
                continue
            start = secs.pop("start", None)
            final = os.path.join(out, s, knob, "samples", "step-final.png")
            wall = f", final grid {os.path.getmtime(final) - start:.0f} s after the start line" if start and os.path.exists(final) else ""
            cells = " ".join(f"{step}:{nn:.3f}/{swd:.0f}" for step, nn, swd in ms)
            ratio = f" ratio {untrained / ms[-1][1]:.2f}x" if untrained and ms else ""
            last = max(secs) if secs else 0
            print(f"  {knob:24s} {cells}{ratio}  train {secs.get(last, 0):.0f} s to step {last}{wall}")


if __name__ == "__main__":
    if sys.argv[1] == "run":
        run(sys.argv[2], sys.argv[3], sys.argv[4], sys.argv[5:])
    else:
        table(sys.argv[2])
