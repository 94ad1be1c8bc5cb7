#!/usr/bin/env bash
# Installs dist/tandem_*.deb with apt (which brings its dependencies), then
# smoke-tests the installed program from /usr/bin with a clean PATH: the
# version, the desktop entry, icon and AppStream files, a headless command,
# and under Xvfb the window (screenshot in .ci-out/) plus a second start
# that must hand over to it. The package is removed again at the end.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
out="$root/.ci-out"; mkdir -p "$out"
deb=$(ls "$root"/dist/tandem_*_amd64.deb | tail -1)
export DEBIAN_FRONTEND=noninteractive
apt-get install -y -q -o DPkg::Lock::Timeout=300 "$deb" >/dev/null
data=$(mktemp -d) home=$(mktemp -d)
cleanup() { apt-get remove -y -q -o DPkg::Lock::Timeout=300 tandem >/dev/null || true; rm -rf "$data" "$home"; }
trap cleanup EXIT
clean=(env -i PATH=/usr/bin:/bin HOME="$home" LANG=en_US.UTF-8)

[ "$(command -v tandem)" = /usr/bin/tandem ] || { echo "deb: tandem is not installed in /usr/bin"; exit 1; }
for f in /usr/share/applications/com.tandemcrm.tandem.desktop /usr/share/icons/hicolor/512x512/apps/com.tandemcrm.tandem.png \
  /usr/share/metainfo/com.tandemcrm.tandem.metainfo.xml /usr/share/doc/tandem/copyright; do
  [ -s "$f" ] || { echo "deb: $f is missing"; exit 1; }
done
v=$("${clean[@]}" /usr/bin/tandem --version)
echo "deb: $v"
case "$v" in "Tandem $(sed -n 's/^Version = "\(.*\)"/\1/p' "$root/FyneApp.toml")"*) ;; *) echo "deb: wrong version"; exit 1 ;; esac
"${clean[@]}" /usr/bin/tandem --data-dir "$data" sample >/dev/null
n=$("${clean[@]}" /usr/bin/tandem --data-dir "$data" contacts list -limit 1000 | wc -l)
[ "$n" -gt 10 ] || { echo "deb: the installed program lists $n contacts"; exit 1; }

window() {
"$root/.ci/xrun.sh" bash -c '
  set -u
  "${@:4}" DISPLAY="$DISPLAY" XAUTHORITY="${XAUTHORITY:-}" /usr/bin/tandem --data-dir "$1" >"$2/deb-window.log" 2>&1 & pid=$!
  for i in $(seq 1 300); do
    xwininfo -name Tandem >/dev/null 2>&1 && break
    kill -0 $pid 2>/dev/null || { echo "deb: the installed program exited"; cat "$2/deb-window.log"; exit 1; }
    sleep 0.05
  done
  xwininfo -name Tandem >/dev/null 2>&1 || { echo "deb: no window"; kill $pid; exit 1; }
  sleep 2
  import -window Tandem "$2/deb-window.png"
  second=$("${@:4}" DISPLAY="$DISPLAY" XAUTHORITY="${XAUTHORITY:-}" /usr/bin/tandem --data-dir "$1" 2>&1) || { echo "deb: second start failed: $second"; kill $pid; exit 1; }
  case "$second" in *"already running (process $pid)"*) ;; *) echo "deb: second start: $second"; kill $pid; exit 1 ;; esac
  echo "deb: window from /usr/bin/tandem, screenshot $2/deb-window.png; a second start handed over to process $pid"
  kill $pid; wait $pid 2>/dev/null || true
' _ "$data" "$out" "$root" "${clean[@]}"
}
window
