#!/usr/bin/env bash
# Fetches the swagger-ui-dist npm package at one pinned version and copies the
# files /docs serves into apidocs/ui/assets/swagger-ui, which is committed: a clean
# clone builds and serves /docs with no network.
#
#   scripts/swagger-ui.sh VERSION
set -euo pipefail
cd "$(dirname "$0")/.."

version=${1:?usage: $0 VERSION}
dest=apidocs/ui/assets/swagger-ui
files=(swagger-ui-bundle.js swagger-ui-bundle.js.LICENSE.txt swagger-ui.css
	favicon-16x16.png favicon-32x32.png LICENSE NOTICE)

command -v npm >/dev/null 2>&1 || {
	echo "swagger-ui: npm is needed (Debian: apt-get install npm)" >&2
	exit 1
}

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# npm checks the tarball against the registry's integrity hash.
npm pack --silent --pack-destination "$tmp" "swagger-ui-dist@$version" >/dev/null
tar -xzf "$tmp/swagger-ui-dist-$version.tgz" -C "$tmp"

rm -rf "$dest"
mkdir -p "$dest"
for f in "${files[@]}"; do
	cp "$tmp/package/$f" "$dest/$f"
done
echo "$version" >"$dest/VERSION"
echo "swagger-ui: swagger-ui-dist $version in $dest; commit it"
