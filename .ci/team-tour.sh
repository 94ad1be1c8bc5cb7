#!/usr/bin/env bash
# Needs your attention on a team (issue 12) in the real window under Xvfb,
# screenshotted into .ci-out/team-<lang>-<n>.png: two data folders (two
# desktops) sync with one Desk emulator; desktop A then shows
#   - a merge card: Desk had two contacts for one email, A merged them;
#   - a deleted-here-changed-there card: A deleted a contact that desktop
#     B changed afterwards,
# and the status line counts both. Synced headless (`desk configure` /
# `desk sync`); clicks go to fixed spots of the window: a look, not a test
# (TestStatusCountsTeamCards asserts the same). Run inside
# .ci/with-session.sh (the tokens go to the keyring).
#   team-tour.sh BIN DESKEMU [LANG]
set -u
bin=$(realpath "$1")
emu=$(realpath "$2")
lng=${3:-en_US.UTF-8}
tag=${lng%%_*}
root=$(cd "$(dirname "$0")/.." && pwd)
out="$root/.ci-out"; mkdir -p "$out"
tmp=$(mktemp -d)
a="$tmp/a" b="$tmp/b"; mkdir -p "$a" "$b"
emupid=
trap '[ -n "$emupid" ] && kill $emupid 2>/dev/null; rm -rf "$tmp"' EXIT

"$emu" -addr 127.0.0.1:0 -search-lag 0s >"$tmp/emu.txt" 2>&1 & emupid=$!
for i in $(seq 1 100); do grep -q '^Base URL' "$tmp/emu.txt" 2>/dev/null && break; sleep 0.1; done
url=$(grep -o 'http://127.0.0.1:[0-9]*' "$tmp/emu.txt" | head -1)
org=$(grep -o 'orgId=[0-9]*' "$tmp/emu.txt" | head -1 | cut -d= -f2)
[ -n "$url" ] && [ -n "$org" ] || { echo "team tour: no emulator"; exit 0; }
ctl() { curl -s -X POST "$url/_emu/orgs/$org/$1" --data-binary @-; }
log="$out/team-$tag.log"; : >"$log"
export TANDEM_ZOHO_CLIENT_ID=1000.TANDEMEMULATOR TANDEM_ZOHO_CLIENT_SECRET=emulator-secret TANDEM_ZOHO_REFRESH_TOKEN=1000.demo-alice.refresh
t() { local d=$1; shift; LANG=$lng "$bin" --data-dir "$d" --desk "$url" "$@" 2>>"$log"; }
for d in "$a" "$b"; do t "$d" desk configure -org "$org" -mode two_way >>"$log"; t "$d" desk sync >>"$log"; done
# A contact both desktops hold; B changes it after A deleted it.
id=$(t "$a" contacts add -first Ren -last Ito -email ren.ito@example.jp)
t "$a" desk sync >>"$log"; t "$b" desk sync >>"$log"
t "$a" contacts delete "$id" >>"$log"; t "$a" desk sync >>"$log"
bid=$(t "$b" contacts list -q Ito | awk -F'\t' '$3=="ren.ito@example.jp"{print $1}' | head -1)
t "$b" contacts update "$bid" -title "Head of Sales" >>"$log"; t "$b" desk sync >>"$log"
# Two Desk contacts for one person (made at about the same time).
for n in Tanaka Tanaka2; do printf '{"lastName":"%s","firstName":"Yuki","email":"yuki.tanaka@example.jp"}' "$n" | ctl contacts >/dev/null; sleep 0.2; done
t "$a" desk sync >>"$log"
t "$a" desk status >>"$log"

"$root/.ci/xrun.sh" bash -c '
  bin=$1 data=$2 out=$3 lng=$4 tag=$5 url=$6
  LANG=$lng "$bin" --data-dir "$data" --desk "$url" >>"$out/team-$tag.log" 2>&1 & pid=$!
  for i in $(seq 1 200); do xwininfo -name Tandem >/dev/null 2>&1 && break; sleep 0.05; done
  sleep 3
  wid=$(xdotool search --name "^Tandem$" | head -1)
  [ -n "$wid" ] || { echo "team tour: no window"; kill $pid; exit 0; }
  shot() { sleep "${2:-1.5}"; import -window Tandem "$out/team-$tag-$1.png"; echo "team tour: $out/team-$tag-$1.png"; }
  click() { xdotool mousemove --window "$wid" "$1" "$2"; sleep 0.3; xdotool click 1; sleep 1.5; }
  shot 0-status 1
  click 60 245; shot 1-manage 2
  xdotool mousemove --window "$wid" 600 450; for i in $(seq 1 40); do xdotool click 5; sleep 0.05; done
  shot 2-attention 1.5
  kill $pid; wait $pid 2>/dev/null
' _ "$bin" "$a" "$out" "$lng" "$tag" "$url"
