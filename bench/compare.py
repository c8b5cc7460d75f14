"""The engine against its PyTorch twin, side by side in one run, with the sgemm peak measured too.

    python3 bench/compare.py [--presets tiny,course] [--batch 32] [--rounds 3] [--no-build] [--compile]

Steps: build release (`swift build -c release`), compile and run bench/sgemm_peak.c (the OpenBLAS
peak on this machine right now), then for each preset and round run `ddpm bench --json` and
bench/twin_bench.py --json back to back (alternating who goes first), and print one table:
ours, twin, ratio, GFLOP/s, % of the sgemm peak, peak RSS, with each issue-5 target marked.

Per metric the best round of each side is kept (the machine is shared: other processes only ever
make a run slower, so the fastest round is the least disturbed one); the load average before and
after every run is printed so a disturbed table can be recognised. `--json FILE` saves every raw
result. The twin needs PyTorch (default: the interpreter `scripts/python-env` makes and prints, or --python).
`--compile` adds a column: the twin under `torch.compile` (inductor, CPU), measured in the same
rounds (ours, twin, compiled twin, in rotating order); its compilation is in its warm-up.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def run(cmd: list[str], **kw) -> str:
    out = subprocess.run(cmd, cwd=ROOT, check=True, stdout=subprocess.PIPE, text=True, **kw)
    return out.stdout


def last_json(text: str) -> dict:
    """The last JSON object printed at the start of a line (pretty-printed or not)."""
    starts = [i for i in range(len(text)) if text[i] == "{" and (i == 0 or text[i - 1] == "\n")]
    for start in reversed(starts):
        try:
            return json.JSONDecoder().raw_decode(text[start:])[0]
        except json.JSONDecodeError:
            continue
    raise ValueError(f"no JSON object in output: {text[:200]!r}")


def sgemm_peak(threads: int) -> dict:
    cflags = run(["pkg-config", "--cflags", "openblas"]).split()
    libs = run(["pkg-config", "--libs", "openblas"]).split()
    exe = os.path.join(tempfile.mkdtemp(prefix="ddpm-bench-"), "sgemm_peak")
    cc = shutil.which("cc") or shutil.which("gcc") or "clang"
    run([cc, "-O2", *cflags, os.path.join(ROOT, "bench", "sgemm_peak.c"), "-o", exe, *libs])
    return last_json(run([exe, str(threads), "1.5"]))


def ours(preset: str, batch: int, steps: int, warmup: int, threads: int, exe: str) -> dict:
    load = os.getloadavg()[0]
    r = last_json(run([exe, "bench", "--preset", preset, "--batch", str(batch), "--steps", str(steps),
                       "--warmup", str(warmup), "--threads", str(threads), "--json"]))
    r["load"] = [load, os.getloadavg()[0]]
    return r


def twin(python: str, preset: str, batch: int, steps: int, warmup: int, threads: int, compile: bool = False) -> dict:
    load = os.getloadavg()[0]
    r = last_json(run([python, os.path.join(ROOT, "bench", "twin_bench.py"), "--preset", preset, "--batch",
                       str(batch), "--steps", str(steps), "--warmup", str(warmup), "--threads", str(threads),
                       "--json"] + (["--compile"] if compile else [])))
    r["load"] = [load, os.getloadavg()[0]]
    return r


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--presets", default="tiny,course")
    ap.add_argument("--batch", type=int, default=32)
    ap.add_argument("--steps", type=int, default=10)
    ap.add_argument("--warmup", type=int, default=3)
    ap.add_argument("--rounds", type=int, default=3, help="ours/twin pairs per preset (best kept)")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--python", default=None, help="Python with torch (default: scripts/python-env)")
    ap.add_argument("--no-build", action="store_true")
    ap.add_argument("--ddpm", default=os.path.join(ROOT, ".build", "release", "ddpm"),
                    help="the ddpm binary to time (e.g. a DDPM_TARGET_CPU build in another --build-path; implies --no-build)")
    ap.add_argument("--json", metavar="FILE", help="also write every raw result to FILE")
    ap.add_argument("--compile", action="store_true", help="add the twin under torch.compile (inductor) as a column")
    args = ap.parse_args()
    if args.python is None:
        args.python = run([os.path.join(ROOT, "scripts", "python-env")]).strip()

    if not args.no_build and args.ddpm == os.path.join(ROOT, ".build", "release", "ddpm"):
        print("building release ...", file=sys.stderr)
        run(["swift", "build", "-c", "release"], stderr=subprocess.DEVNULL)
    print("measuring the sgemm peak ...", file=sys.stderr)
    peak = sgemm_peak(args.threads)
    raw = {"sgemm_peak": peak, "presets": {}}
    rows = []
    for preset in args.presets.split(","):
        mine, theirs, compiled = [], [], []
        for r in range(args.rounds):
            print(f"{preset}: round {r + 1}/{args.rounds}", file=sys.stderr)
            runs = [lambda: mine.append(ours(preset, args.batch, args.steps, args.warmup, args.threads, args.ddpm)),
                    lambda: theirs.append(twin(args.python, preset, args.batch, args.steps, args.warmup,
                                               args.threads))]
            if args.compile:
                runs.append(lambda: compiled.append(twin(args.python, preset, args.batch, args.steps, args.warmup,
                                                         args.threads, compile=True)))
            for f in runs[r % len(runs):] + runs[:r % len(runs)]:  # who goes first rotates
                f()
        raw["presets"][preset] = {"ours": mine, "twin": theirs} | ({"twin_compiled": compiled} if args.compile else {})
        rows.append((preset, mine, theirs, compiled))
    peak_again = sgemm_peak(args.threads)
    raw["sgemm_peak_after"] = peak_again
    peak_gflops = max(peak["best_gflops"], peak_again["best_gflops"])

    print()
    print(f"sgemm peak ({args.threads} threads, OpenBLAS): {peak['best_gflops']:.1f} GFLOP/s before, "
          f"{peak_again['best_gflops']:.1f} after; {peak_gflops:.1f} used as 100%")
    hdr = f"{'preset':<7} {'metric':<22} {'ours':>10} {'twin':>10} {'ratio':>7}"
    if args.compile:
        hdr += f" {'compiled':>10} {'ratio':>7}"
    hdr += "  target"
    print(hdr)
    print("-" * len(hdr) + "-" * 24)
    for preset, mine, theirs, compiled in rows:
        best = lambda xs, k: min(x[k] for x in xs)
        o_step, t_step = best(mine, "trainStepSeconds"), best(theirs, "train_step_s_median")
        o_s1, t_s1 = best(mine, "sampleStepSeconds"), best(theirs, "sample_step_s_batch1")
        o_s16, t_s16 = best(mine, "sampleStepSecondsBatch16"), best(theirs, "sample_step_s_batch16")
        o_rss, t_rss = max(x["peakRSSMegabytes"] for x in mine), max(x["peak_rss_mib"] for x in theirs)
        gflop = theirs[0]["train_gflop_per_step"]
        o_gf, t_gf = gflop / o_step, gflop / t_step
        train_ratio = t_step / o_step

        def line(metric, a, b, ratio, target, c=None, c_ratio=None):
            r = f"{ratio:7.2f}" if ratio is not None else " " * 7
            extra = ""
            if args.compile:
                extra = f" {c if c is not None else '':>10} " + (f"{c_ratio:7.2f}" if c_ratio is not None else " " * 7)
            print(f"{preset:<7} {metric:<22} {a:>10} {b:>10} {r}{extra}  {target}")

        c_step = best(compiled, "train_step_s_median") if compiled else None
        c_s1 = best(compiled, "sample_step_s_batch1") if compiled else None
        c_s16 = best(compiled, "sample_step_s_batch16") if compiled else None
        c_rss = max(x["peak_rss_mib"] for x in compiled) if compiled else None
        fmt = lambda v, f: f.format(v) if v is not None else None
        mark = lambda ok: "MET" if ok else "missed"
        want = 2.0 if preset == "tiny" else 1.0
        line("train step (ms)", f"{o_step * 1e3:.1f}", f"{t_step * 1e3:.1f}", train_ratio,
             f">= {want:.1f}x twin: {mark(train_ratio >= want)}" if preset in ("tiny", "course") else "",
             fmt(c_step and c_step * 1e3, "{:.1f}"), c_step and c_step / o_step)
        line("images/s", f"{args.batch / o_step:.1f}", f"{args.batch / t_step:.1f}", train_ratio, "",
             fmt(c_step and args.batch / c_step, "{:.1f}"), c_step and c_step / o_step)
        pct = 100 * o_gf / peak_gflops
        line("GFLOP/s (train)", f"{o_gf:.1f}", f"{t_gf:.1f}", o_gf / t_gf, "",
             fmt(c_step and gflop / c_step, "{:.1f}"), c_step and o_gf / (gflop / c_step))
        line("% of sgemm peak", f"{pct:.0f}%", f"{100 * t_gf / peak_gflops:.0f}%", None,
             f">= 80%: {mark(pct >= 80)}" if preset == "course" else "",
             fmt(c_step and 100 * gflop / c_step / peak_gflops, "{:.0f}%"))
        line("sample step b1 (ms)", f"{o_s1 * 1e3:.2f}", f"{t_s1 * 1e3:.2f}", t_s1 / o_s1,
             f"<= 5 ms: {mark(o_s1 <= 0.005)}" if preset == "tiny" else "",
             fmt(c_s1 and c_s1 * 1e3, "{:.2f}"), c_s1 and c_s1 / o_s1)
        line("sample step b16 (ms)", f"{o_s16 * 1e3:.1f}", f"{t_s16 * 1e3:.1f}", t_s16 / o_s16,
             f">= 1.5x twin: {mark(t_s16 / o_s16 >= 1.5)}" if preset == "tiny" else "",
             fmt(c_s16 and c_s16 * 1e3, "{:.1f}"), c_s16 and c_s16 / o_s16)
        line("peak RSS (MiB)", f"{o_rss:.0f}", f"{t_rss:.0f}", t_rss / o_rss,
             f"<= twin: {mark(o_rss <= t_rss)}" if preset == "course" else "",
             fmt(c_rss, "{:.0f}"), c_rss and c_rss / o_rss)
        if compiled:
            line("compile warm-up (s)", "", "", None, "", fmt(min(x["compile_s"] for x in compiled), "{:.0f}"))
        loads = [x["load"] for x in mine + theirs + compiled]
        print(f"{'':<7} {'load avg (1 min)':<22} {min(min(l) for l in loads):>10.2f} .. {max(max(l) for l in loads):.2f}")
    print(f"\nbatch {args.batch}, {args.steps} timed steps after {args.warmup} warm-up, best of {args.rounds} "
          f"rounds per side; ratio = twin time / our time (higher is better for us)"
          + ("; compiled = the twin under torch.compile (inductor), its ratio the same way" if args.compile else ""))
    if args.json:
        with open(args.json, "w") as f:
            json.dump(raw, f, indent=1)


if __name__ == "__main__":
    main()
