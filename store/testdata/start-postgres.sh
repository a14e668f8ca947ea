#!/bin/sh
# start-postgres.sh starts (or reuses) a throwaway PostgreSQL server for the
# store's tests and prints its DSN on stdout; export it as
# VIGIE_TEST_POSTGRES_DSN. Running it again while the server is up only
# prints the DSN. Progress goes to stderr so `$(...)` captures the DSN alone.
#
#   export VIGIE_TEST_POSTGRES_DSN="$(store/testdata/start-postgres.sh)"
#
# Environment: PGDATA_DIR (default /tmp/vigie-pg), PGPORT (default 55432).
# The server runs as the `postgres` system user when started by root, since
# PostgreSQL refuses to run as root.
set -eu

DATA=${PGDATA_DIR:-/tmp/vigie-pg}
PORT=${PGPORT:-55432}
BIN=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
if [ -z "$BIN" ]; then
	echo "start-postgres.sh: no PostgreSQL under /usr/lib/postgresql (apt-get install postgresql)" >&2
	exit 1
fi

# as runs a command as the postgres user when we are root, as ourselves
# otherwise.
as() {
	if [ "$(id -u)" = 0 ]; then
		runuser -u postgres -- "$@"
	else
		"$@"
	fi
}

if [ ! -f "$DATA/PG_VERSION" ]; then
	mkdir -p "$DATA"
	if [ "$(id -u)" = 0 ]; then chown postgres:postgres "$DATA"; fi
	chmod 700 "$DATA"
	as "$BIN/initdb" -D "$DATA" -U postgres --auth=trust --encoding=UTF8 --locale=C.UTF-8 >&2
fi

if ! as "$BIN/pg_ctl" -D "$DATA" status >/dev/null 2>&1; then
	# Sockets go into the data directory: /var/run/postgresql may not exist
	# or not be writable. fsync stays on: the tests check durability paths.
	as "$BIN/pg_ctl" -D "$DATA" -l "$DATA/server.log" -w \
		-o "-p $PORT -c listen_addresses=127.0.0.1 -k $DATA -c max_connections=200" start >&2
fi

psql() { as "$BIN/psql" -h 127.0.0.1 -p "$PORT" -U postgres -v ON_ERROR_STOP=1 -qtA "$@"; }

if [ "$(psql -d postgres -c "SELECT 1 FROM pg_roles WHERE rolname = 'vigie'")" != 1 ]; then
	psql -d postgres -c "CREATE ROLE vigie LOGIN PASSWORD 'vigie'" >&2
fi
if [ "$(psql -d postgres -c "SELECT 1 FROM pg_database WHERE datname = 'vigie_test'")" != 1 ]; then
	psql -d postgres -c "CREATE DATABASE vigie_test OWNER vigie" >&2
fi

echo "postgres://vigie:vigie@127.0.0.1:$PORT/vigie_test?sslmode=disable"
