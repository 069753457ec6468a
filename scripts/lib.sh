# Shared helpers for the scripts: dependency checks with clear messages.
# shellcheck shell=bash

PG_HOST=${PG_HOST:-127.0.0.1}
PG_PORT=${PG_PORT:-5432}
AMQP_HOST=${AMQP_HOST:-127.0.0.1}
AMQP_PORT=${AMQP_PORT:-5672}

say() { printf '==> %s\n' "$*" >&2; }
die() { printf 'error: %s\n' "$*" >&2; exit 1; }

port_open() { (exec 3<>"/dev/tcp/$1/$2") 2>/dev/null; }

wait_port() { # host port seconds
  local i
  for ((i = 0; i < $3 * 2; i++)); do
    port_open "$1" "$2" && return 0
    sleep 0.5
  done
  return 1
}

require_cargo() {
  command -v cargo >/dev/null 2>&1 || die "cargo is not installed: install the Rust toolchain (https://rustup.rs) first"
}

ensure_postgres() {
  port_open "$PG_HOST" "$PG_PORT" && return 0
  if command -v pg_ctlcluster >/dev/null 2>&1 && [ -d /etc/postgresql ]; then
    say "PostgreSQL is not answering on $PG_HOST:$PG_PORT; starting the installed cluster"
    local version
    version=$(find /etc/postgresql -mindepth 1 -maxdepth 1 -printf '%f\n' | sort -V | tail -n 1)
    pg_ctlcluster --skip-systemctl-redirect "$version" main start || true
    wait_port "$PG_HOST" "$PG_PORT" 30 && return 0
  fi
  die "PostgreSQL is required on $PG_HOST:$PG_PORT (user postgres, trust or password auth): install it (Debian: apt-get install postgresql) and start it"
}

ensure_rabbitmq() {
  port_open "$AMQP_HOST" "$AMQP_PORT" && return 0
  if command -v rabbitmq-server >/dev/null 2>&1; then
    say "RabbitMQ is not answering on $AMQP_HOST:$AMQP_PORT; starting the installed server"
    rabbitmq-server -detached || true
    wait_port "$AMQP_HOST" "$AMQP_PORT" 90 && return 0
  fi
  die "RabbitMQ is required on $AMQP_HOST:$AMQP_PORT (guest/guest for tests): install it (Debian: apt-get install rabbitmq-server) and start it"
}
