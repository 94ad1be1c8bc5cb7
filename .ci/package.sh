#!/usr/bin/env bash
# Builds the Linux package (dist/Tandem.tar.xz: binary, .desktop file, icon)
# with the fyne CLI. FyneApp.toml lives at the top of the repository; the CLI
# reads it from the main package's folder, so a copy is placed there for the
# build and removed afterwards.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
GOBIN=$(go env GOPATH)/bin
test -x "$GOBIN/fyne" || go install fyne.io/tools/cmd/fyne@v1.7.4
trap 'rm -f cmd/tandem/FyneApp.toml cmd/tandem/icon.png' EXIT
sed 's#^Icon = "assets/icon.png"#Icon = "icon.png"#' FyneApp.toml > cmd/tandem/FyneApp.toml
cp assets/icon.png cmd/tandem/icon.png
(cd cmd/tandem && "$GOBIN/fyne" package -os linux --tags migrated_fynedo --release)
mkdir -p dist
mv cmd/tandem/*.tar.xz dist/
ls -la dist
