#!/usr/bin/env bash
# Manages the project-local PostgreSQL used by `make run` and `make test`.
#
#   scripts/localdb.sh start   initialise (first time) and start it; print nothing else
#   scripts/localdb.sh stop    stop it (data is kept)
#   scripts/localdb.sh reset   stop it and delete its data
#   scripts/localdb.sh status  say whether it runs
#   scripts/localdb.sh url     print its connection URL
#   scripts/localdb.sh datadir print its data folder
#
# Data lives in .data/postgres (git-ignored), the server listens on 127.0.0.1 only,
# on LOCALDB_PORT (default 54329). LOCALDB_* settings come from the environment,
# else from .env. PostgreSQL refuses to run as root, so when this
# script runs as root it runs the server as the unprivileged `postgres` account.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
for name in LOCALDB_PORT LOCALDB_DIR LOCALDB_USER LOCALDB_FSYNC; do
	if [ -z "${!name+x}" ] && [ -f "$root/.env" ]; then
		value=$(sed -n "s/^$name=//p" "$root/.env" | tail -n 1)
		if [ -n "$value" ]; then export "$name=$value"; fi
	fi
done
port=${LOCALDB_PORT:-54329}
user=authstarter
password=authstarter
dbname=authstarter
data=${LOCALDB_DIR:-$root/.data/postgres}
log=$data.log

die() { echo "localdb: $*" >&2; exit 1; }

url() { echo "postgres://$user:$password@127.0.0.1:$port/$dbname?sslmode=disable"; }

find_bin() {
	local name=$1 dir
	if command -v "$name" >/dev/null 2>&1; then command -v "$name"; return; fi
	# Homebrew installs postgresql@N "keg-only": off the PATH, under opt/.
	for dir in /usr/lib/postgresql/*/bin /usr/local/pgsql/bin /usr/pgsql-*/bin \
		/opt/homebrew/opt/postgresql@*/bin /usr/local/opt/postgresql@*/bin /opt/homebrew/bin; do
		if [ -x "$dir/$name" ]; then echo "$dir/$name"; return; fi
	done
	die "cannot find the PostgreSQL server program '$name'.
  Install the server binaries (Debian/Ubuntu: apt-get install postgresql;
  macOS: brew install postgresql@15), or point DATABASE_URL (and
  TEST_DATABASE_URL for tests) at a PostgreSQL you run yourself."
}

# as_owner runs a command as the account that owns the data directory.
as_owner() {
	if [ "$(id -u)" = 0 ]; then
		local owner=${LOCALDB_USER:-postgres}
		id "$owner" >/dev/null 2>&1 || die "running as root, but there is no '$owner' account to run PostgreSQL as.
  Create one (useradd --system $owner) or set LOCALDB_USER to an unprivileged account."
		if command -v runuser >/dev/null 2>&1; then
			runuser -u "$owner" -- "$@"
		else
			su -s /bin/sh "$owner" -c "$(printf '%q ' "$@")"
		fi
	else
		"$@"
	fi
}

running() { [ -f "$data/postmaster.pid" ] && as_owner "$pg_ctl" -D "$data" status >/dev/null 2>&1; }

init() {
	local initdb pwfile
	initdb=$(find_bin initdb)
	mkdir -p "$(dirname "$data")"
	if [ "$(id -u)" = 0 ]; then
		mkdir -p "$data"
		chown "${LOCALDB_USER:-postgres}" "$data" "$(dirname "$data")"
		as_owner test -w "$data" || die "the account '${LOCALDB_USER:-postgres}' cannot reach $data.
  Make the project's parent folders traversable (chmod o+x) or set LOCALDB_DIR to a folder it can use."
	fi
	pwfile=$(mktemp)
	echo "$password" >"$pwfile"
	chmod 644 "$pwfile"
	as_owner "$initdb" -D "$data" -U "$user" --pwfile="$pwfile" --auth=scram-sha-256 \
		--encoding=UTF8 --locale=C.UTF-8 >"$data.init.log" 2>&1 ||
		{ rm -f "$pwfile"; cat "$data.init.log" >&2; die "initdb failed (log above)"; }
	rm -f "$pwfile"
}

start() {
	[ -f "$data/PG_VERSION" ] || init
	if running; then return; fi
	touch "$log"
	[ "$(id -u)" = 0 ] && chown "${LOCALDB_USER:-postgres}" "$log"
	# No Unix socket: TCP on loopback only, so the path of the checkout never matters.
	as_owner "$pg_ctl" -D "$data" -l "$log" -w -t 60 \
		-o "-p $port -c listen_addresses=127.0.0.1 -c unix_socket_directories='' -c max_connections=200 -c fsync=${LOCALDB_FSYNC:-on}" \
		start >/dev/null || { tail -n 20 "$log" >&2; die "PostgreSQL did not start (log: $log)"; }
	# The first start creates the application database.
	local psql
	psql=$(command -v psql || true)
	if [ -n "$psql" ]; then
		PGPASSWORD=$password "$psql" -h 127.0.0.1 -p "$port" -U "$user" -d postgres -tAc \
			"SELECT 1 FROM pg_database WHERE datname = '$dbname'" | grep -q 1 ||
			PGPASSWORD=$password "$psql" -h 127.0.0.1 -p "$port" -U "$user" -d postgres -qc \
				"CREATE DATABASE $dbname" >/dev/null
	else
		as_owner "$(dirname "$pg_ctl")/createdb" -h 127.0.0.1 -p "$port" -U "$user" "$dbname" 2>/dev/null || true
	fi
}

case ${1:-} in
start) pg_ctl=$(find_bin pg_ctl); start ;;
stop) pg_ctl=$(find_bin pg_ctl); if running; then as_owner "$pg_ctl" -D "$data" -m fast -w stop >/dev/null; fi ;;
reset)
	pg_ctl=$(find_bin pg_ctl)
	if running; then as_owner "$pg_ctl" -D "$data" -m immediate -w stop >/dev/null; fi
	rm -rf "$data" "$data.log" "$data.init.log"
	echo "localdb: deleted $data"
	;;
status)
	pg_ctl=$(find_bin pg_ctl)
	if running; then
		# The port it was started with (line 4 of postmaster.pid), which may
		# not be this shell's LOCALDB_PORT.
		echo "localdb: running on 127.0.0.1:$(sed -n 4p "$data/postmaster.pid") ($data)"
	else
		echo "localdb: not running"
	fi
	;;
url) url ;;
datadir) echo "$data" ;;
*) die "usage: $0 start|stop|reset|status|url|datadir" ;;
esac
