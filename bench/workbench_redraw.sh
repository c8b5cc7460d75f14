#!/usr/bin/env bash
# Full-screen redraw time of the workbench at 200x60 (target: <= 16 ms per frame).
#
# Starts `ddpm` (release build) in a detached tmux session of 200x60 with DDPM_BENCH_REDRAW=N:
# the workbench trains as usual, waits until every screen has real content (a milestone sample
# grid, a Denoise chain, Compare frames), draws each of the five screens N times as a FULL redraw
# (every cell rewritten), then quits as `q` does. Per screen it reports the pure render time (cell
# grid), the output time (ncurses diff + refresh into tmux's pty) and their total.
#
# Usage: bench/workbench_redraw.sh [frames=60] [extra ddpm flags...]
#   e.g. bench/workbench_redraw.sh 60 --preset tiny
# Env:   DDPM=path/to/ddpm (default .build/release/ddpm, built if missing), WIDTH/HEIGHT (200x60),
#        TERM_IN_PANE (tmux-256color), LANG_IN_PANE (C.UTF-8; C for the ASCII fallback).
set -euo pipefail
cd "$(dirname "$0")/.."
frames="${1:-60}"; shift || true
ddpm="${DDPM:-.build/release/ddpm}"
[ -x "$ddpm" ] || swift build -c release --product ddpm
command -v tmux >/dev/null || { echo "tmux is needed" >&2; exit 1; }
width="${WIDTH:-200}"; height="${HEIGHT:-60}"
work="$(mktemp -d /tmp/ddpm-redraw.XXXXXX)"
sock="ddpm-bench-$$"
sockpath="${TMUX_TMPDIR:-/tmp}/tmux-$(id -u)/$sock"
trap 'tmux -L "$sock" kill-server 2>/dev/null || true; rm -f "$sockpath"; rm -rf "$work"' EXIT

echo "load before: $(cut -d' ' -f1-3 /proc/loadavg)"
tmux -L "$sock" -f /dev/null new-session -d -s bench -x "$width" -y "$height" \
  "TERM=${TERM_IN_PANE:-tmux-256color} LANG=${LANG_IN_PANE:-C.UTF-8} DDPM_BENCH_REDRAW=$frames DDPM_BENCH_REPORT=$work/report.txt \
   $ddpm --out $work/run $* ; echo DDPM-EXIT=\$? > $work/exit; sleep 5"
# Wait for the workbench to finish (samples + chains first; minutes on a busy machine).
for _ in $(seq 1 1800); do [ -f "$work/exit" ] && break; sleep 1; done
[ -f "$work/report.txt" ] || { echo "no report; the pane shows:"; tmux -L "$sock" capture-pane -p -t bench; exit 1; }
cat "$work/report.txt"
echo "load after:  $(cut -d' ' -f1-3 /proc/loadavg)"
