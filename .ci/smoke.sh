#!/usr/bin/env bash
# Starts the real binary under Xvfb on a fresh data folder with sample data,
# waits for its window, screenshots it into .ci-out/, and reports the time to
# the first window and the RSS. Fails if the window never appears.
set -euo pipefail
bin=$(realpath "$1")
root=$(cd "$(dirname "$0")/.." && pwd)
out="$root/.ci-out"; mkdir -p "$out"
data=$(mktemp -d)
trap 'rm -rf "$data"' EXIT
"$bin" --data-dir "$data" sample

shot() { # lang name
  "$root/.ci/xrun.sh" bash -c '
    set -u
    LANG=$1 "$2" --data-dir "$3" >"$4/smoke-$5.log" 2>&1 & pid=$!
    start=$(date +%s%N)
    for i in $(seq 1 300); do
      if xwininfo -name Tandem >/dev/null 2>&1; then break; fi
      if ! kill -0 $pid 2>/dev/null; then echo "smoke: the app exited before showing a window"; cat "$4/smoke-$5.log"; exit 1; fi
      sleep 0.02
    done
    if ! xwininfo -name Tandem >/dev/null 2>&1; then echo "smoke: no window after 6 s"; kill $pid; exit 1; fi
    ms=$(( ($(date +%s%N) - start) / 1000000 ))
    sleep 2
    import -window Tandem "$4/smoke-$5.png"
    rss=$(awk "/VmRSS/ {print int(\$2/1024)}" /proc/$pid/status)
    echo "smoke($5): window after ${ms} ms; RSS ${rss} MB; screenshot $4/smoke-$5.png"
    kill $pid; wait $pid 2>/dev/null || true
  ' _ "$1" "$bin" "$data" "$out" "$2"
}
shot en_US.UTF-8 en
shot ja_JP.UTF-8 ja
