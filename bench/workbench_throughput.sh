#!/usr/bin/env bash
# Training throughput with the workbench open versus headless (target: >= 95%).
#
# Runs the same training (same preset, batch, seed, steps; no milestone before the end) in turn:
#   headless  `ddpm train ...`                            (no UI)
#   workbench `ddpm ...` in a 200x60 tmux pane            (Train screen, redrawn at every step)
# alternating A/B `rounds` times so a change in machine load hits both, and compares the median
# step time from each run's metrics.jsonl (`step_seconds`, the first 5 steps dropped as warm-up).
#
# Usage: bench/workbench_throughput.sh [steps=120] [rounds=2] [training flags...]
#   default flags: --preset tiny --batch 16 --accumulate 1 (the workbench's defaults; `ddpm train`
#   defaults to the course's batch 32 x 2, so the flags are always given explicitly to both)
# Env:   DDPM=path/to/ddpm (default .build/release/ddpm), SCREEN_KEY (key sent after start,
#        default none = Train screen; e.g. 3 to measure with the Denoise screen open and idle).
set -euo pipefail
cd "$(dirname "$0")/.."
steps="${1:-120}"; rounds="${2:-2}"; shift 2 || true
ddpm="${DDPM:-.build/release/ddpm}"
[ -x "$ddpm" ] || swift build -c release --product ddpm
command -v tmux >/dev/null || { echo "tmux is needed" >&2; exit 1; }
work="$(mktemp -d /tmp/ddpm-throughput.XXXXXX)"
sock="ddpm-tp-$$"
sockpath="${TMUX_TMPDIR:-/tmp}/tmux-$(id -u)/$sock"
trap 'tmux -L "$sock" kill-server 2>/dev/null || true; rm -f "$sockpath"; rm -rf "$work"' EXIT
[ $# -gt 0 ] || set -- --preset tiny --batch 16 --accumulate 1
flags=(--steps "$steps" --save-every 1000000 "$@")

median_step() {  # median step_seconds of a metrics.jsonl, warm-up dropped
  python3 - "$1" <<'PY'
import json, sys, statistics
xs = [json.loads(l)["step_seconds"] for l in open(sys.argv[1]) if '"step_seconds"' in l]
xs = xs[5:] or xs
print(f"{statistics.median(xs):.6f} {len(xs)}")
PY
}

echo "load before: $(cut -d' ' -f1-3 /proc/loadavg)"
for r in $(seq 1 "$rounds"); do
  "$ddpm" train "${flags[@]}" --out "$work/headless-$r" > "$work/headless-$r.log" 2>&1
  read -r h n <<< "$(median_step "$work/headless-$r/metrics.jsonl")"
  echo "round $r headless : median step $(python3 -c "print(f'{$h*1000:.1f}')") ms over $n steps"

  tmux -L "$sock" -f /dev/null new-session -d -s "ui$r" -x 200 -y 60 \
    "LANG=C.UTF-8 $ddpm ${flags[*]} --out $work/ui-$r; echo done > $work/ui-$r.exit; sleep 2"
  if [ -n "${SCREEN_KEY:-}" ]; then sleep 3; tmux -L "$sock" send-keys -t "ui$r" "$SCREEN_KEY"; fi
  # The workbench stays open when training finishes: wait for the final step, then quit.
  for _ in $(seq 1 3600); do
    if [ -f "$work/ui-$r/metrics.jsonl" ] && grep -q '"event":"final"\|"event": "final"' "$work/ui-$r/metrics.jsonl"; then break; fi
    sleep 1
  done
  # CPU spent on the interface: the UI thread (the process's main thread) and the tmux server
  # that parses its output, against the CPU of the whole process (clock ticks, utime+stime).
  pane_pid="$(tmux -L "$sock" list-panes -t "ui$r" -F '#{pane_pid}')"
  ddpm_pid="$(pgrep -P "$pane_pid" -x ddpm || true)"
  tmux_pid="$(tmux -L "$sock" display-message -p '#{pid}')"
  if [ -n "$ddpm_pid" ]; then
    ui=$(awk '{print $14+$15}' "/proc/$ddpm_pid/task/$ddpm_pid/stat")
    all=$(awk '{print $14+$15}' "/proc/$ddpm_pid/stat")
    tm=$(awk '{print $14+$15}' "/proc/$tmux_pid/stat")
    echo "round $r CPU: UI thread $ui ticks, tmux server $tm ticks, whole process $all ticks" \
      "(interface = $(python3 -c "print(f'{100*($ui+$tm)/max($all,1):.1f}')")% of the process's CPU)"
  fi
  tmux -L "$sock" send-keys -t "ui$r" q
  for _ in $(seq 1 300); do [ -f "$work/ui-$r.exit" ] && break; sleep 1; done
  tmux -L "$sock" kill-server 2>/dev/null || true  # a fresh server (and CPU count) per round
  read -r u n <<< "$(median_step "$work/ui-$r/metrics.jsonl")"
  echo "round $r workbench: median step $(python3 -c "print(f'{$u*1000:.1f}')") ms over $n steps"
  echo "$h $u" >> "$work/pairs"
done
python3 - "$work/pairs" <<'PY'
import sys, statistics
pairs = [tuple(map(float, l.split())) for l in open(sys.argv[1])]
h = statistics.median(p[0] for p in pairs); u = statistics.median(p[1] for p in pairs)
print(f"headless {h*1000:.1f} ms/step, workbench {u*1000:.1f} ms/step: workbench throughput = {100*h/u:.1f}% of headless")
PY
echo "load after:  $(cut -d' ' -f1-3 /proc/loadavg)"
