#!/usr/bin/env bash
# Starts a throwaway PostgreSQL cluster for the tests on 127.0.0.1:${PGPORT:-55432}, owned by
# the postgres user, with a `tentacle` superuser (password `tentacle`), and prints the URL the
# contract tests read from TENTACLE_TEST_POSTGRES_URL. Safe to run again: a running cluster is kept.
set -euo pipefail
port="${PGPORT:-55432}"
bin="$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)"
data="${TENTACLE_PG_DATA:-/tmp/tentacle-ci-postgres}"
if ! "$bin/pg_isready" -q -h 127.0.0.1 -p "$port"; then
  rm -rf "$data"
  install -d -o postgres -g postgres "$data"
  su postgres -c "$bin/initdb -D $data -A trust -U postgres" >/dev/null
  # Sized for a 2-core test machine. A commit is still a commit to every client (a SIGKILLed
  # Tentacle node loses nothing PostgreSQL acknowledged), but this throwaway cluster does not
  # survive a power cut: fsync off keeps the tests' CREATE and DROP DATABASE from flushing the
  # disk under the SQLite tests running beside them.
  su postgres -c "$bin/pg_ctl -D $data -l $data/server.log -w -o '-p $port -k /tmp -c listen_addresses=127.0.0.1 -c max_connections=300 -c shared_buffers=256MB -c fsync=off' start" >/dev/null
  su postgres -c "psql -q -h 127.0.0.1 -p $port -d postgres -c \"CREATE ROLE tentacle LOGIN SUPERUSER PASSWORD 'tentacle'\""
  su postgres -c "psql -q -h 127.0.0.1 -p $port -d postgres -c 'CREATE DATABASE tentacle OWNER tentacle'"
fi
echo "postgres://tentacle:tentacle@127.0.0.1:$port/tentacle"
