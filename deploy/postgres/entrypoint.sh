#!/bin/sh
# First start: initdb with the POSTGRES_* variables; later starts keep the data as it is.
set -eu
: "${POSTGRES_USER:=postgres}" "${POSTGRES_DB:=$POSTGRES_USER}"
: "${POSTGRES_PASSWORD:?set POSTGRES_PASSWORD}"
mkdir -p "$PGDATA" /run/postgresql
chown postgres:postgres "$PGDATA" /run/postgresql
chmod 700 "$PGDATA"
as_pg() { su postgres -s /bin/sh -c "$*"; }
if [ ! -s "$PGDATA/PG_VERSION" ]; then
  echo "$POSTGRES_PASSWORD" >/tmp/pwfile && chown postgres /tmp/pwfile
  as_pg "initdb -D '$PGDATA' -U '$POSTGRES_USER' --pwfile=/tmp/pwfile --auth-local=trust --auth-host=scram-sha-256 -E UTF8" >/dev/null
  rm -f /tmp/pwfile
  echo "host all all all scram-sha-256" >>"$PGDATA/pg_hba.conf"
  if [ "$POSTGRES_DB" != postgres ]; then
    as_pg "pg_ctl -D '$PGDATA' -o '-c listen_addresses=' -w start" >/dev/null
    as_pg "psql -U '$POSTGRES_USER' -d postgres -qc 'create database \"$POSTGRES_DB\"'"
    as_pg "pg_ctl -D '$PGDATA' -m fast -w stop" >/dev/null
  fi
  echo "servicelab-postgres: initialised $PGDATA for $POSTGRES_USER/$POSTGRES_DB"
fi
# postgres itself becomes PID 1, so `docker stop` (SIGINT) shuts it down cleanly.
exec setpriv --reuid=postgres --regid=postgres --init-groups postgres -D "$PGDATA" -c listen_addresses='*'
