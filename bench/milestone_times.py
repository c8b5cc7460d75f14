"""Loading time, milestone times and peak RSS of one `ddpm train` run (issue 13).

    python3 bench/milestone_times.py BINARY --data DIR [more ddpm train flags]

Runs `/usr/bin/time -v BINARY train --out TMP --steps 20 --save-every 10 --batch 16 --accumulate 1
--data DIR ...` and reads TMP/metrics.jsonl: loading = launch to the `start` line (data decoded,
model built); each milestone's seconds from its `sampling_seconds` + `metrics_seconds` when the
binary logs them, else from the wall times around it (the step line after it minus its own
step_seconds, or the process's end for the final one). Peak RSS from `time -v`, and the peak
and the CPU seconds (user + system) while loading (launch to the start line) from /proc/PID
sampled every 50 ms (CPU time says what a quiet machine would take, about half of it on 2 cores). Prints one
line per figure with the 1-minute load average before and after.
"""
import json
import os
import re
import subprocess
import sys
import tempfile
import time


def rss_of_children(pid: int) -> list:
    """[(now, VmRSS MiB, CPU seconds so far)] of the children of `pid` (the binary under /usr/bin/time)."""
    out = []
    tick = os.sysconf("SC_CLK_TCK")
    try:
        for task in os.listdir(f"/proc/{pid}/task"):
            for child in open(f"/proc/{pid}/task/{task}/children").read().split():
                stat = open(f"/proc/{child}/stat").read().rsplit(")", 1)[1].split()
                cpu = (int(stat[11]) + int(stat[12])) / tick  # utime + stime
                for line in open(f"/proc/{child}/status"):
                    if line.startswith("VmRSS:"):
                        out.append((time.time(), int(line.split()[1]) / 1024, cpu))
    except OSError:
        pass
    return out


def main():
    exe, rest = sys.argv[1], sys.argv[2:]
    out = tempfile.mkdtemp(prefix="ddpm-ms-")
    cmd = ["/usr/bin/time", "-v", exe, "train", "--out", out + "/run", "--steps", "20", "--save-every", "10",
           "--batch", "16", "--accumulate", "1", *rest]
    load0 = os.getloadavg()[0]
    t0 = time.time()
    p = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    samples = []  # (unix time, RSS MiB) of the ddpm process
    stdout, stderr = "", ""
    while p.poll() is None:
        samples += rss_of_children(p.pid)
        time.sleep(0.05)
    stdout, stderr = p.communicate()
    p.stdout, p.stderr = stdout, stderr
    t_end = time.time()
    load1 = os.getloadavg()[0]
    if p.returncode != 0:
        print(p.stdout, p.stderr, file=sys.stderr)
        sys.exit(p.returncode)
    rss = int(re.search(r"Maximum resident set size \(kbytes\): (\d+)", p.stderr).group(1)) / 1024
    lines = [json.loads(l) for l in open(out + "/run/metrics.jsonl")]
    start = next(l for l in lines if l.get("event") == "start")
    steps = {l["step"]: l for l in lines if "loss" in l}
    print(f"command: {' '.join(cmd[2:])}")
    print(f"load avg {load0:.2f} -> {load1:.2f}; peak RSS {rss:.0f} MiB; wall {t_end - t0:.1f} s")
    if os.environ.get("RSS_TIMELINE"):
        with open(os.environ["RSS_TIMELINE"], "w") as f:
            f.write(f"# launch {t0}, start line {start['wall_time']}\n")
            f.writelines(f"{t - t0:.2f} {r:.0f} {c:.2f}\n" for t, r, c in samples)
    loading = [(r, c) for t, r, c in samples if t <= start["wall_time"]]
    loading_rss = max((r for r, _ in loading), default=0)
    loading_cpu = max((c for _, c in loading), default=0)
    print(f"loading (launch to start line): {start['wall_time'] - t0:.1f} s ({loading_cpu:.1f} s CPU), "
          f"peak RSS {loading_rss:.0f} MiB; to step 1: {steps[1]['wall_time'] - t0:.1f} s")
    for l in lines:
        if l.get("event") not in ("milestone", "final"):
            continue
        s = l["step"]
        if "sampling_seconds" in l:
            sec = l["sampling_seconds"] + l["metrics_seconds"]
            how = f"sampling {l['sampling_seconds']:.2f} s + metrics {l['metrics_seconds']:.2f} s"
        elif s + 1 in steps:
            sec = steps[s + 1]["wall_time"] - steps[s + 1]["step_seconds"] - steps[s]["wall_time"]
            how = "from wall times"
        else:
            sec = t_end - steps[s]["wall_time"]
            how = "step line to process end"
        print(f"{l['event']} step {s}: {sec:.2f} s ({how}); nn-RMSE {l['nn_rmse']:.4f}, SWD {l['swd']:.3f}")
    print(p.stdout.strip().splitlines()[-1])


if __name__ == "__main__":
    main()
