#!/usr/bin/env bash
# Checks (and installs) the Debian packages Tandem needs.
#   packages.sh run  -> what building and running the app needs
#   packages.sh ci   -> that plus what the tests and the packages need (Xvfb,
#                       keyring, D-Bus, mingw-w64, NSIS, dpkg-dev, AppStream)
# As root it installs what is missing; otherwise it asks before using sudo,
# or prints the exact apt-get line to run.
set -euo pipefail
build=(gcc libc6-dev pkg-config libgl1-mesa-dev libgl1-mesa-dri libx11-dev libxcursor-dev libxrandr-dev
  libxinerama-dev libxi-dev libxxf86vm-dev fonts-noto-cjk)
tests=(xvfb xauth x11-apps x11-utils imagemagick xdotool dbus dbus-x11 gnome-keyring git sqlite3 curl)
# Packaging in CI: the Windows cross-compiler and installer, the .deb's checks.
pkgs=(gcc-mingw-w64-x86-64 nsis dpkg-dev desktop-file-utils appstream)
want=("${build[@]}")
[ "${1:-run}" = ci ] && want+=("${tests[@]}" "${pkgs[@]}")

missing=()
for p in "${want[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
command -v go >/dev/null || { echo "Go is not installed: get Go 1.26 or newer from the Go website (go.dev/dl) first." >&2; exit 1; }
[ ${#missing[@]} -eq 0 ] && exit 0

line="apt-get install -y --no-install-recommends ${missing[*]}"
echo "Tandem needs these Debian packages: ${missing[*]}"
if [ "$(id -u)" = 0 ]; then
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -q && $line
elif [ -t 0 ] && command -v sudo >/dev/null; then
  read -r -p "Install them now with: sudo $line ? [y/N] " ok
  if [[ "$ok" =~ ^[Yy] ]]; then sudo apt-get update -q && sudo $line; else echo "Run: sudo apt-get update && sudo $line"; exit 1; fi
else
  echo "Run: sudo apt-get update && sudo $line"; exit 1
fi
