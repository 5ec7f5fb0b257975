#!/usr/bin/env bash
# Proves the README's "Adding a user field" walkthrough still works: copies the
# repository to a temporary folder, applies the walkthrough's steps exactly as
# README.md shows them, regenerates, builds, runs every test, then runs
# extend_test.go (build tag "extend"), which checks the new field over HTTP.
#
# The steps are the code blocks between <!-- extend:begin --> and
# <!-- extend:end --> in README.md, each announced by a marker:
#   <!-- extend:new PATH -->   the block is the content of a new file
#   <!-- extend:patch -->      the block is a unified diff, applied with git apply
#   <!-- extend:run -->        the block is shell commands
# So when the code and the walkthrough drift apart, this check fails.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"

test_db=$(scripts/prepare.sh test-db)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
copy=$work/repo
steps=$work/steps
mkdir -p "$copy" "$steps"

# The working tree as git sees it (tracked and untracked, not ignored files).
git ls-files -z --cached --others --exclude-standard | while IFS= read -r -d '' f; do
	[ -e "$f" ] && printf '%s\0' "$f"
done | tar --null -T - -cf - | tar -xf - -C "$copy"

awk -v dir="$steps" '
/<!-- extend:begin -->/ { on = 1; next }
/<!-- extend:end -->/   { on = 0; next }
!on { next }
/<!-- extend:(new|patch|run)/ {
	kind = $2; sub(/^extend:/, "", kind)
	target = (kind == "new") ? $3 : ""
	next
}
/^```/ {
	if (inblock) { inblock = 0; kind = ""; next }
	if (kind != "") {
		inblock = 1; n++
		file = sprintf("%s/%02d.%s", dir, n, kind)
		printf "" > file
		if (target != "") print target > (file ".target")
	}
	next
}
inblock { print >> file }
' README.md

count=$(find "$steps" -name '[0-9]*.*' ! -name '*.target' | wc -l)
[ "$count" -gt 0 ] || { echo "check-extend: README.md holds no extend steps" >&2; exit 1; }

cd "$copy"
for step in $(find "$steps" -name '[0-9]*.*' ! -name '*.target' | sort); do
	case $step in
	*.new)
		target=$(cat "$step.target")
		echo "check-extend: new file $target"
		mkdir -p "$(dirname "$target")"
		cp "$step" "$target"
		;;
	*.patch)
		echo "check-extend: apply $(grep -m1 '^+++ ' "$step" | sed 's|^+++ b/||')"
		git apply "$step" || { echo "check-extend: the README's diff no longer applies to the code" >&2; exit 1; }
		;;
	*.run)
		echo "check-extend: run: $(tr '\n' ';' <"$step")"
		bash -euo pipefail "$step"
		;;
	esac
done

echo "check-extend: build, vet and test the extended copy"
go build ./...
go vet ./...
go tool sqlc diff
TEST_DATABASE_URL=$test_db go test -count=1 ./... >/dev/null
if ! TEST_DATABASE_URL=$test_db go test -count=1 -tags extend -run '^TestExtend' -v . >"$work/extend.log" 2>&1; then
	cat "$work/extend.log"
	echo "check-extend: the extended service does not behave as the walkthrough says" >&2
	exit 1
fi
grep -E '^(--- |ok)' "$work/extend.log"
echo "check-extend: the walkthrough works"
