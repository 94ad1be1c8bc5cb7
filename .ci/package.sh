#!/usr/bin/env bash
# Builds Tandem's packages into dist/:
#   package.sh linux    dist/Tandem.tar.xz (fyne CLI: binary, .desktop file, icon)
#   package.sh deb      dist/tandem_<version>_amd64.deb (desktop entry, icon,
#                       AppStream metadata, dependencies from dpkg-shlibdeps)
#   package.sh windows  dist/Tandem.exe (64-bit, icon and version resource, by
#                       the fyne CLI with mingw-w64) and dist/Tandem-<version>-setup.exe
#                       (NSIS: per-user install, Start-menu entry, uninstaller)
#   package.sh macos    dist/Tandem.app and dist/Tandem-<version>.dmg, on a Mac only
# The version is FyneApp.toml's. Each step prints its time and the sizes.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
GOBIN=$(go env GOPATH)/bin
TAGS=migrated_fynedo
ID=com.tandemcrm.tandem
VERSION=$(sed -n 's/^Version = "\(.*\)"/\1/p' FyneApp.toml)
BUILD=$(sed -n 's/^Build = \([0-9]*\)/\1/p' FyneApp.toml)
LDFLAGS="-s -w -X main.version=$VERSION${ZOHO_CLIENT_ID:+ -X main.zohoClientID=$ZOHO_CLIENT_ID}"
# fyne package reads -ldflags from GOFLAGS, where a value has no spaces:
# both settings travel in main.buildVars (cmd/tandem/desk.go).
BUILDVARS="-ldflags=-X=main.buildVars=version=$VERSION,zohoClientID=${ZOHO_CLIENT_ID:-}"
mkdir -p dist
tmpdirs=()
trap 'rm -rf "${tmpdirs[@]}"' EXIT
tmp() { local d; d=$(mktemp -d); tmpdirs+=("$d"); echo "$d"; }

need_fyne() { test -x "$GOBIN/fyne" || go install fyne.io/tools/cmd/fyne@v1.7.4; }

# with_fyneapp runs a command in cmd/tandem with FyneApp.toml and the icon
# beside it, where the fyne CLI looks for them.
with_fyneapp() {
  trap 'rm -f cmd/tandem/FyneApp.toml cmd/tandem/icon.png; trap - RETURN' RETURN
  sed 's#^Icon = "assets/icon.png"#Icon = "icon.png"#' FyneApp.toml > cmd/tandem/FyneApp.toml
  cp assets/icon.png cmd/tandem/icon.png
  (cd cmd/tandem && "$@")
}

timed() { # label command...
  local start=$SECONDS
  "${@:2}"
  echo "package: $1 took $((SECONDS - start)) s"
}

linux() {
  need_fyne
  with_fyneapp env GOFLAGS="$BUILDVARS" "$GOBIN/fyne" package -os linux --tags $TAGS --release
  mv cmd/tandem/*.tar.xz dist/
  ls -l dist/*.tar.xz
}

deb() {
  local stage pkg arch=amd64
  stage=$(tmp)
  pkg=$stage/tandem
  # The same compiler flags as `make build`, so the cgo cache is reused;
  # only the link differs (stripped, version stamped).
  go build -tags $TAGS -ldflags "$LDFLAGS" -o "$pkg/usr/bin/tandem" ./cmd/tandem
  install -D -m 644 packaging/linux/$ID.desktop "$pkg/usr/share/applications/$ID.desktop"
  install -D -m 644 assets/icon.png "$pkg/usr/share/icons/hicolor/512x512/apps/$ID.png"
  install -d "$pkg/usr/share/metainfo"
  sed "s/@VERSION@/$VERSION/; s/@DATE@/$(date -u +%Y-%m-%d)/" packaging/linux/$ID.metainfo.xml > "$pkg/usr/share/metainfo/$ID.metainfo.xml"
  install -d "$pkg/usr/share/doc/tandem"
  { cat packaging/linux/copyright; echo; cat cmd/tandem/third_party_licenses.txt; } > "$pkg/usr/share/doc/tandem/copyright"
  if command -v desktop-file-validate >/dev/null; then desktop-file-validate "$pkg/usr/share/applications/$ID.desktop"; fi
  if command -v appstreamcli >/dev/null; then appstreamcli validate --no-net --explain "$pkg/usr/share/metainfo/$ID.metainfo.xml"; fi
  # Dependencies: the shared libraries the binary links, as Debian names them.
  mkdir -p "$stage/src/debian"
  printf 'Source: tandem\n\nPackage: tandem\nArchitecture: any\n' > "$stage/src/debian/control"
  local shlibs
  shlibs=$(cd "$stage/src" && dpkg-shlibdeps -O -e"$pkg/usr/bin/tandem" 2>/dev/null | sed -n 's/^shlibs:Depends=//p')
  [ -n "$shlibs" ] || { echo "package: dpkg-shlibdeps found no dependencies" >&2; exit 1; }
  # GLFW opens these X11 libraries at run time (dlopen), so dpkg-shlibdeps
  # cannot see them.
  shlibs="$shlibs, libxcursor1, libxrandr2, libxinerama1, libxi6, libxxf86vm1"
  install -d "$pkg/DEBIAN"
  cat > "$pkg/DEBIAN/control" <<EOF
Package: tandem
Version: $VERSION
Architecture: $arch
Maintainer: Tandem developers <tandem@tandemcrm.invalid>
Installed-Size: $(du -sk "$pkg/usr" | cut -f1)
Depends: $shlibs
Recommends: libgl1-mesa-dri, gnome-keyring | kwalletmanager | keepassxc, fonts-noto-cjk
Section: office
Priority: optional
Homepage: https://github.com/tandem-crm/tandem
Description: desktop CRM for small businesses, with Zoho Desk tickets
 Tandem keeps contacts, companies and pipelines in a local database and
 connects them to a Zoho Desk portal: each record shows its support
 tickets, and desktop notifications tell about new tickets, replies,
 mentions, overdue and escalated tickets. It runs in the tray, backs up
 its database every day and speaks English and Japanese.
EOF
  local out="dist/tandem_${VERSION}_${arch}.deb"
  dpkg-deb --root-owner-group -Zxz --build "$pkg" "$out" >/dev/null
  dpkg-deb --info "$out" | sed -n '/Package:/,/Homepage:/p'
  ls -l "$out"
}

windows() {
  need_fyne
  command -v x86_64-w64-mingw32-gcc >/dev/null || { echo "package: needs gcc-mingw-w64-x86-64" >&2; exit 1; }
  command -v makensis >/dev/null || { echo "package: needs nsis" >&2; exit 1; }
  # fyne package -os windows builds with -H=windowsgui and embeds the icon,
  # the manifest and the version resource from FyneApp.toml.
  # (It takes -ldflags from GOFLAGS, where a flag's value has no spaces.)
  with_fyneapp env CGO_ENABLED=1 GOOS=windows GOARCH=amd64 CC=x86_64-w64-mingw32-gcc \
    GOFLAGS="$BUILDVARS" \
    "$GOBIN/fyne" package -os windows --tags $TAGS --app-version "$VERSION" --app-build "$BUILD" --release
  mv cmd/tandem/Tandem.exe dist/Tandem.exe
  local work
  work=$(tmp)
  convert assets/icon.png -define icon:auto-resize=256,64,48,32,16 "$work/tandem.ico"
  cp cmd/tandem/third_party_licenses.txt "$work/THIRD_PARTY_LICENSES.txt"
  makensis -V2 -DVERSION="$VERSION" -DEXE="$root/dist/Tandem.exe" -DICON="$work/tandem.ico" \
    -DLICENSES="$work/THIRD_PARTY_LICENSES.txt" -DOUT="$root/dist/Tandem-$VERSION-setup.exe" packaging/windows/tandem.nsi
  # What can be checked here (Wine cannot run Go 1.26 programs): a 64-bit
  # GUI program with its resources, and an installer that unpacks.
  # (Into files first: grep -q would close the pipe early under pipefail.)
  x86_64-w64-mingw32-objdump -f -p -h dist/Tandem.exe > "$work/pe.txt"
  grep -q 'pei-x86-64' "$work/pe.txt" || { echo "package: Tandem.exe is not a 64-bit PE" >&2; exit 1; }
  grep -q 'Subsystem.*(Windows GUI)' "$work/pe.txt" || { echo "package: Tandem.exe is not a GUI program" >&2; exit 1; }
  grep -q '\.rsrc' "$work/pe.txt" || { echo "package: Tandem.exe has no resources (icon, version)" >&2; exit 1; }
  strings -el dist/Tandem.exe > "$work/utf16.txt"
  grep -qx "$VERSION.$BUILD" "$work/utf16.txt" || { echo "package: Tandem.exe has no version resource $VERSION.$BUILD" >&2; exit 1; }
  ls -l dist/Tandem.exe "dist/Tandem-$VERSION-setup.exe"
}

macos() {
  if [ "$(uname -s)" != Darwin ]; then
    echo "package: the macOS app is built on a Mac (Fyne needs Apple's cgo toolchain): run 'make package-macos' there." >&2
    exit 1
  fi
  need_fyne
  with_fyneapp env GOFLAGS="$BUILDVARS" "$GOBIN/fyne" package -os darwin --tags $TAGS --app-version "$VERSION" --app-build "$BUILD" --release
  rm -rf dist/Tandem.app
  mv cmd/tandem/Tandem.app dist/
  hdiutil create -volname Tandem -srcfolder dist/Tandem.app -ov -format UDZO "dist/Tandem-$VERSION.dmg"
  ls -ld dist/Tandem.app "dist/Tandem-$VERSION.dmg"
}

case "${1:-linux}" in
  linux | deb | windows | macos) timed "$1" "$1" ;;
  *) echo "usage: $0 linux|deb|windows|macos" >&2; exit 2 ;;
esac
