#!/usr/bin/env bash
# Hostile content and a damaged database in the real window under Xvfb
# (issue 18), screenshotted into .ci-out/hostile-<lang>-<n>.png:
#   1. a ticket whose subject is 100,000 characters, opened in the pane
#      (the window must stay responsive: the next clicks land),
#   2. a subject with a right-to-left override ("Invoice <RLO>fdp.exe
#      overdue" must read in its true order, not as "…exe.pdf"),
#   3. the dialog a damaged database gets at start.
# The tickets are made on a Desk emulator (bin/deskemu) through its control
# API and synced headless with `desk configure` / `desk sync`. Clicks go to
# fixed spots of the 1100×720 window: a look, not a test (the view tests
# assert the same); it never fails the build. Run inside
# .ci/with-session.sh (the tokens go to the keyring).
#   hostile-tour.sh BIN DESKEMU [LANG]
set -u
bin=$(realpath "$1")
emu=$(realpath "$2")
lng=${3:-en_US.UTF-8}
tag=${lng%%_*}
root=$(cd "$(dirname "$0")/.." && pwd)
out="$root/.ci-out"; mkdir -p "$out"
data=$(mktemp -d)
emupid=
trap '[ -n "$emupid" ] && kill $emupid 2>/dev/null; rm -rf "$data"' EXIT

"$emu" -addr 127.0.0.1:0 -search-lag 0s >"$data/emu.txt" 2>&1 & emupid=$!
for i in $(seq 1 100); do grep -q '^Base URL' "$data/emu.txt" 2>/dev/null && break; sleep 0.1; done
url=$(grep -o 'http://127.0.0.1:[0-9]*' "$data/emu.txt" | head -1)
org=$(grep -o 'orgId=[0-9]*' "$data/emu.txt" | head -1 | cut -d= -f2)
[ -n "$url" ] && [ -n "$org" ] || { echo "hostile tour: no emulator"; exit 0; }
ctl() { curl -s -X POST "$url/_emu/orgs/$org/$1" --data-binary @-; }
cid=$(printf '{"lastName":"Mallory","firstName":"Eve","email":"eve@evil.example"}' | ctl contacts | grep -o '[0-9]\{6,\}')
rlo=$(printf '\xe2\x80\xae')
printf '{"subject":"Invoice %sfdp.exe overdue","contactId":"%s","status":"Open","description":"<p>Please open the attached <b>invoice</b>.</p><script>alert(1)</script><img src=\\"http://tracker.example/p.gif\\">"}' "$rlo" "$cid" | ctl tickets >/dev/null
sleep 1
{ printf '{"subject":"Refund '; head -c 100000 /dev/zero | tr '\0' 'A'; printf '","contactId":"%s","status":"Open","description":"A subject of 100,000 characters."}' "$cid"; } | ctl tickets >/dev/null

export TANDEM_ZOHO_CLIENT_ID=1000.TANDEMEMULATOR TANDEM_ZOHO_CLIENT_SECRET=emulator-secret TANDEM_ZOHO_REFRESH_TOKEN=1000.demo-alice.refresh
LANG=$lng "$bin" --data-dir "$data" sample >/dev/null 2>&1
LANG=$lng "$bin" --data-dir "$data" --desk "$url" desk configure -org "$org" -mode two_way >"$out/hostile-$tag.log" 2>&1
LANG=$lng "$bin" --data-dir "$data" --desk "$url" desk sync >>"$out/hostile-$tag.log" 2>&1

"$root/.ci/xrun.sh" bash -c '
  bin=$1 data=$2 out=$3 lng=$4 tag=$5 url=$6
  start() {
    LANG=$lng "$bin" --data-dir "$data" --desk "$url" >>"$out/hostile-$tag.log" 2>&1 & pid=$!
    for i in $(seq 1 200); do xwininfo -name Tandem >/dev/null 2>&1 && break; sleep 0.05; done
    sleep 3
    wid=$(xdotool search --name "^Tandem$" | head -1)
  }
  shot() { sleep "${2:-1.5}"; import -window Tandem "$out/hostile-$tag-$1.png"; echo "hostile tour: $out/hostile-$tag-$1.png"; }
  click() { xdotool mousemove --window "$wid" "$1" "$2"; sleep 0.3; xdotool click 1; sleep 1.5; }
  start
  [ -n "$wid" ] || { echo "hostile tour: no window"; kill $pid; exit 0; }
  click 60 89; click 250 50; xdotool type --delay 40 Mallory; sleep 1.5
  click 300 170; click 615 55; shot 0-tickets 2
  click 700 218; shot 1-huge-subject 3
  click 520 100; click 700 296; shot 2-rlo-subject 2
  kill $pid; wait $pid 2>/dev/null
  # Damage one page of the contacts table, as a failing disk would.
  db="$data/tandem.db"
  page=$(sqlite3 "$db" "SELECT pageno FROM dbstat WHERE name = '\''contacts'\'' AND pagetype = '\''leaf'\'' ORDER BY pageno LIMIT 1 OFFSET 1")
  size=$(sqlite3 "$db" "PRAGMA page_size")
  if [ -n "$page" ]; then
    head -c 1024 /dev/zero | tr "\0" "\336" | dd of="$db" bs=1 seek=$(( (page - 1) * size + 100 )) conv=notrunc status=none
  fi
  start
  shot 3-damaged 2
  kill $pid; wait $pid 2>/dev/null
  exit 0
' _ "$bin" "$data" "$out" "$lng" "$tag" "$url"
exit 0
