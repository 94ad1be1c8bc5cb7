#!/usr/bin/env bash
# xrun.sh CMD [ARGS...]: runs CMD with DISPLAY set to a fresh Xvfb server
# (1280x800x24) that is stopped afterwards. Xvfb picks a free display
# number itself (-displayfd), so several runs on one machine never race
# for a number the way `xvfb-run -a` can; the server is asked to answer
# (xdpyinfo) before CMD starts, and started again if it does not. It runs
# with -noreset: otherwise the server resets when its last client (that
# xdpyinfo) leaves, and a window opened during the reset failed with
# "X11: Failed to open display" (seen once in CI's smoke test).
set -euo pipefail
dir=$(mktemp -d)
xpid=
stop() { [ -n "$xpid" ] && { kill "$xpid" 2>/dev/null || true; wait "$xpid" 2>/dev/null || true; }; xpid=; }
trap 'stop; rm -rf "$dir"' EXIT
for try in 1 2 3; do
  rm -f "$dir/fd"; mkfifo "$dir/fd"
  Xvfb -displayfd 3 -screen 0 1280x800x24 -nolisten tcp -noreset 3>"$dir/fd" >"$dir/log" 2>&1 &
  xpid=$!
  num=
  read -r -t 30 num <"$dir/fd" || true
  if [ -n "$num" ]; then
    for i in $(seq 1 50); do
      if xdpyinfo -display ":$num" >/dev/null 2>&1; then
        export DISPLAY=":$num"
        unset XAUTHORITY
        "$@"
        exit $?
      fi
      sleep 0.1
    done
  fi
  echo "xrun: Xvfb did not answer (try $try):" >&2; cat "$dir/log" >&2
  stop
done
exit 1
