#!/usr/bin/env bash
# A tour of Import… in the real window under Xvfb, driven with xdotool: a
# Shift_JIS CSV with Japanese headers handed to `tandem --import FILE`
# (what a file manager's "Open with" does), then each step — the file, the
# detected encoding, the guessed columns, duplicates, the summary, the
# import undone — screenshotted into .ci-out/import-<lang>-<n>.png.
# Clicks go to fixed spots of the 1100×720 window, so this is a look, not
# a test (the view tests assert each step); it never fails the build.
#   import-tour.sh BIN [LANG]
set -u
bin=$(realpath "$1")
lng=${2:-en_US.UTF-8}
tag=${lng%%_*}
root=$(cd "$(dirname "$0")/.." && pwd)
out="$root/.ci-out"; mkdir -p "$out"
data=$(mktemp -d)
trap 'rm -rf "$data"' EXIT
LANG=$lng "$bin" --data-dir "$data" sample >/dev/null 2>&1
# One contact of the file is already in Tandem (the sample's), so the
# duplicates step has something to update.
csv="$data/顧客リスト.csv"
printf '%s\r\n' '姓,名,メールアドレス,電話番号,携帯,会社名,役職,住所' \
  '山田,太郎,TARO@example.jp,,090-1111-2222,山田商事,部長,東京都千代田区1-1' \
  '髙橋,花子,hanako.takahashi@example.jp,03-1234-5678,,株式会社①,,' \
  '佐藤,,not-an-email,,,,,' \
  '鈴木,一郎,ichiro@example.jp,06-1111-2222,,大阪物産,課長,大阪府大阪市北区' |
  iconv -f UTF-8 -t CP932 >"$csv"
LANG=$lng "$bin" --data-dir "$data" contacts add -last 山田 -first 太郎 -email taro@example.jp >/dev/null 2>&1 || true

"$root/.ci/xrun.sh" bash -c '
  bin=$1 data=$2 out=$3 lng=$4 tag=$5 csv=$6
  LANG=$lng "$bin" --data-dir "$data" --import "$csv" >"$out/import-$tag.log" 2>&1 & pid=$!
  for i in $(seq 1 200); do xwininfo -name Tandem >/dev/null 2>&1 && break; sleep 0.05; done
  sleep 3
  wid=$(xdotool search --name "^Tandem$" | head -1)
  [ -n "$wid" ] || { echo "import tour: no window"; kill $pid; exit 0; }
  shot() { sleep "${2:-1.5}"; import -window Tandem "$out/import-$tag-$1.png"; echo "import tour: $out/import-$tag-$1.png"; }
  click() { xdotool mousemove --window "$wid" "$1" "$2"; sleep 0.3; xdotool click 1; sleep 1; }
  next() { click 985 637; }
  shot 1-file
  next; shot 2-encoding
  next; shot 3-columns
  next; shot 4-duplicates
  click ${DUP_X:-108} ${DUP_Y:-236}; shot 4b-update 0.5
  next; shot 5-summary 3
  undo_x=300; [ "$tag" = ja ] && undo_x=372
  click $undo_x 313; shot 6-undone 1
  kill $pid; wait $pid 2>/dev/null
  exit 0
' _ "$bin" "$data" "$out" "$lng" "$tag" "$csv"
exit 0
