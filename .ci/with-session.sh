#!/usr/bin/env bash
# Runs a command inside a private D-Bus session with an unlocked
# gnome-keyring (the real Secret Service), so keyring and notification tests
# talk to real services. HOME and XDG_RUNTIME_DIR point into .ci-home so the
# developer's own keyring is never touched.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
# Keep Go's caches where they were before HOME moves.
export GOCACHE="${GOCACHE:-$(go env GOCACHE)}" GOMODCACHE="${GOMODCACHE:-$(go env GOMODCACHE)}" GOPATH="${GOPATH:-$(go env GOPATH)}"
export HOME="$root/.ci-home" XDG_RUNTIME_DIR="$root/.ci-run"
mkdir -p "$HOME"; mkdir -m 700 -p "$XDG_RUNTIME_DIR"
exec dbus-run-session -- bash -c 'echo -n testpass | gnome-keyring-daemon --unlock --components=secrets >/dev/null 2>&1 || echo "warning: gnome-keyring-daemon did not start" >&2; exec "$@"' _ "$@"
