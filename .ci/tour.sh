#!/usr/bin/env bash
# A tour of the help-desk screens in the real window under Xvfb, driven with
# xdotool against the built-in demo help desk: the wizard, a contact's
# Tickets tab and a ticket's conversation, screenshotted into .ci-out/.
# Clicks go to fixed spots of the 1100×720 window (below the 28-pixel menu
# bar), so this is a look, not a
# test: a step that does not land leaves a screenshot that shows it, and the
# tour never fails the build. Run inside .ci/with-session.sh (keyring).
set -u
bin=$(realpath "$1")
root=$(cd "$(dirname "$0")/.." && pwd)
out="$root/.ci-out"; mkdir -p "$out"
data=$(mktemp -d)
trap 'rm -rf "$data"' EXIT
LANG=en_US.UTF-8 "$bin" --data-dir "$data" sample >/dev/null 2>&1

"$root/.ci/xrun.sh" bash -c '
  bin=$1 data=$2 out=$3
  LANG=${TOUR_LANG:-en_US.UTF-8} "$bin" --data-dir "$data" >"$out/tour.log" 2>&1 & pid=$!
  for i in $(seq 1 200); do xwininfo -name Tandem >/dev/null 2>&1 && break; sleep 0.05; done
  sleep 2
  wid=$(xdotool search --name "^Tandem$" | head -1)
  [ -n "$wid" ] || { echo "tour: no window"; kill $pid; exit 0; }
  shot() { sleep "${2:-1.5}"; import -window Tandem "$out/tour-$1.png"; echo "tour: $out/tour-$1.png"; }
  click() { xdotool mousemove --window "$wid" "$1" "$2"; sleep 0.3; xdotool click 1; sleep 1.5; }
  # The window has a menu bar (File, Edit, Zoho Desk, Help) above the
  # content: the content starts about 28 px lower than the window.
  click 60 245;  shot 1-settings
  click 255 197; click 288 273; shot 2-signed-in
  click 1050 650; shot 3-portal
  click 1050 650; shot 4-sync-option 2
  click 1050 650; shot 5-mapping
  click 1030 645; shot 6-activate
  click 213 353;  shot 7-connected 4
  click 60 89;    click 250 50; xdotool type --delay 40 grace; sleep 1.5
  click 300 170;  click 615 55; shot 8-contact-tickets 2
  click 700 218;  shot 9-ticket-pane 2
  kill $pid; wait $pid 2>/dev/null
  exit 0
' _ "$bin" "$data" "$out"
exit 0
