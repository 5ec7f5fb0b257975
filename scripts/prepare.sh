#!/usr/bin/env bash
# Gets a fresh checkout ready for `make run` and `make test`.
#
#   scripts/prepare.sh env        create .env from .env.example, with a new secret, if absent
#   scripts/prepare.sh run-db     start the project-local PostgreSQL when DATABASE_URL
#                                 (environment, else .env) points at it
#   scripts/prepare.sh test-db    print the URL tests use: TEST_DATABASE_URL when set,
#                                 else the project-local PostgreSQL, started if needed
set -euo pipefail
cd "$(dirname "$0")/.."

local_url=$(scripts/localdb.sh url)
local_port=${local_url#*@127.0.0.1:}
local_port=${local_port%%/*}

env_value() { # env_value NAME: the variable from the environment, else from .env
	local name=$1
	# Set in the environment, even to "", it wins over .env, as in the server.
	if [ -n "${!name+x}" ]; then echo "${!name}"; return; fi
	[ -f .env ] && sed -n "s/^$name=//p" .env | tail -n 1
}

is_local() { # is_local URL: whether URL names the project-local server
	case $1 in
	*@127.0.0.1:"$local_port"/* | *@localhost:"$local_port"/*) return 0 ;;
	esac
	return 1
}

case ${1:-} in
env)
	if [ ! -f .env ]; then
		secret=$(head -c 48 /dev/urandom | base64 | tr -d '\n')
		sed "s|^AUTH_SECRET_KEY=.*|AUTH_SECRET_KEY=$secret|" .env.example >.env
		chmod 600 .env
		echo "prepare: created .env from .env.example with a new AUTH_SECRET_KEY"
	fi
	;;
run-db)
	url=$(env_value DATABASE_URL)
	if [ -z "$url" ] || is_local "$url"; then
		scripts/localdb.sh start
	else
		case $url in
		*@127.0.0.1:* | *@localhost:*)
			echo "prepare: DATABASE_URL names a server on this machine, but not the project-local" \
				"database (port $local_port), so that one is not started; if you meant it, set" \
				"LOCALDB_PORT and DATABASE_URL's port alike" >&2
			;;
		esac
	fi
	;;
test-db)
	if [ -n "${TEST_DATABASE_URL:-}" ]; then
		echo "$TEST_DATABASE_URL"
	else
		scripts/localdb.sh start
		echo "$local_url"
	fi
	;;
*)
	echo "usage: $0 env|run-db|test-db" >&2
	exit 2
	;;
esac
