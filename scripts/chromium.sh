#!/usr/bin/env bash
# Makes sure headless Chromium is there for the browser test (make test-browser).
# When it is missing and this runs as root on Debian or Ubuntu, installs the
# distribution's chromium package; otherwise says how to install it, and the
# browser test then skips.
set -euo pipefail

for name in chromium chromium-browser google-chrome; do
	if command -v "$name" >/dev/null 2>&1; then exit 0; fi
done
if [ -n "${CHROMIUM:-}" ] && [ -x "$CHROMIUM" ]; then exit 0; fi

if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
	echo "chromium: not installed; installing the Debian package with apt-get"
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -qq
	apt-get install -y -qq chromium >/dev/null
	exit 0
fi

cat >&2 <<'MSG'
chromium: not installed, so the browser test will be SKIPPED.
  Install it and run make test-browser again:
    Debian/Ubuntu:  sudo apt-get install chromium
    macOS:          brew install --cask chromium
  or set CHROMIUM to the path of a Chromium or Chrome binary.
MSG
