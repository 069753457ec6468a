#!/bin/sh
# Starts PostgreSQL, then makes the password of every role in PETSTORE_ROLES
# the one its Secret holds now, so a re-created or rotated Secret never locks
# a service out of its database. Shipped by petstore-operator.
#
# PETSTORE_ROLES: space-separated `role:VARIABLE[:database]`; VARIABLE holds
# the password (from the Secret); a missing role (and database) is created.
# It connects over the Unix socket, where the official image trusts local
# connections, so it works whatever password the volume last knew.

# Arguments (e.g. `-c max_connections=N`) go to the server.
docker-entrypoint.sh postgres "$@" &
pid=$!
trap 'kill -TERM "$pid" 2>/dev/null' TERM INT

sync_roles() {
  for entry in $PETSTORE_ROLES; do
    role=${entry%%:*}
    rest=${entry#*:}
    var=${rest%%:*}
    db=""
    if [ "$rest" != "$var" ]; then db=${rest#*:}; fi
    eval "password=\${$var:-}"
    if [ -z "$password" ]; then
      echo "petstore: $var is empty, role $role left as it is" >&2
      continue
    fi
    psql -X -q -v ON_ERROR_STOP=1 -v role="$role" -v password="$password" -v db="$db" \
      --username "$POSTGRES_USER" --dbname postgres --host /var/run/postgresql <<'SQL' || return 1
SELECT format('CREATE ROLE %I LOGIN', :'role')
  WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = :'role') \gexec
SELECT format('ALTER ROLE %I WITH LOGIN PASSWORD %L', :'role', :'password') \gexec
SELECT format('CREATE DATABASE %I OWNER %I', :'db', :'role')
  WHERE :'db' <> '' AND NOT EXISTS (SELECT FROM pg_database WHERE datname = :'db') \gexec
SQL
  done
}

# Only the final server listens on TCP (the image's initialisation server
# does not), so the roles are set once the real server runs.
until pg_isready -q --host 127.0.0.1; do
  kill -0 "$pid" 2>/dev/null || break
  sleep 1
done
attempt=0
while kill -0 "$pid" 2>/dev/null; do
  if sync_roles; then
    echo "petstore: role passwords set from their Secrets"
    break
  fi
  attempt=$((attempt + 1))
  [ "$attempt" -ge 30 ] && { echo "petstore: could not set the passwords" >&2; break; }
  sleep 2
done

wait "$pid"
status=$?
if kill -0 "$pid" 2>/dev/null; then
  wait "$pid"
  status=$?
fi
exit "$status"
