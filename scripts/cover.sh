#!/usr/bin/env bash
# Prints statement coverage per package from a Go cover profile and fails when
# the total is below the floor. Generated code (db/sqlc) and test support
# (internal/testdb, which only tests call) are left out.
#
#   scripts/cover.sh cover.out [floor-percent]
set -euo pipefail
profile=${1:?usage: scripts/cover.sh cover.out [floor]}
floor=${2:-90}

# A block appears once per test binary; it counts as covered if any ran it.
awk '
NR == 1 || $1 ~ /\/db\/sqlc\// || $1 ~ /\/internal\/testdb\// { next }
{
	if (!($1 in stmts)) stmts[$1] = $2
	if ($3 > 0) hit[$1] = 1
}
END {
	for (b in stmts) {
		pkg = b; sub(/:.*/, "", pkg); sub(/\/[^\/]*$/, "", pkg)
		print pkg, stmts[b], (b in hit) ? stmts[b] : 0
	}
}' "$profile" | sort | awk -v floor="$floor" '
{ total[$1] += $2; covered[$1] += $3; all += $2; allc += $3 }
$1 != last { order[++n] = $1; last = $1 }
END {
	for (i = 1; i <= n; i++) {
		p = order[i]
		printf "%-40s %6.1f%%  (%d/%d statements)\n", p, 100 * covered[p] / total[p], covered[p], total[p]
	}
	pct = all ? 100 * allc / all : 0
	printf "%-40s %6.1f%%  (%d/%d statements)\n", "total", pct, allc, all
	if (pct < floor) { printf "coverage %.1f%% is below the %d%% floor\n", pct, floor; exit 1 }
}'
