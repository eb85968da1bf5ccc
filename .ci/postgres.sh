# shellcheck shell=bash
# A throwaway PostgreSQL 15 for the recovery DB tests. Sourced by .ci/run:
#
#   source .ci/postgres.sh
#   fog_postgres_start   # initdb into a temp dir, start on a free 127.0.0.1 port, create a database, export:
#                        #   FOG_TEST_POSTGRES         Npgsql connection string of the test database
#                        #   FOG_TEST_POSTGRES_PGCTL   a pg_ctl that runs as the server's (non-root) user
#                        #   FOG_TEST_POSTGRES_DATA    the data directory (for pg_ctl -D)
#   trap fog_postgres_stop EXIT
#
# Run on its own (`bash .ci/postgres.sh`) it starts a server, prints the exports and waits for Ctrl-C.
# If FOG_TEST_POSTGRES is already set, nothing is started. If no PostgreSQL can be found or installed, a
# warning is printed and the PostgreSQL tests report themselves as skipped.

fog_postgres_dir=""
fog_postgres_bin=""
fog_postgres_user=""

fog_postgres_find() {
  local dir
  for dir in /usr/lib/postgresql/15/bin $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -rV); do
    if [ -x "$dir/initdb" ] && [ -x "$dir/pg_ctl" ] && [ -x "$dir/postgres" ]; then
      fog_postgres_bin="$dir"
      return 0
    fi
  done
  return 1
}

# Runs a command as the server's user (PostgreSQL refuses to run as root).
fog_postgres_as_user() {
  if [ -n "$fog_postgres_user" ]; then
    runuser -u "$fog_postgres_user" -- "$@"
  else
    "$@"
  fi
}

fog_postgres_start() {
  if [ -n "${FOG_TEST_POSTGRES:-}" ]; then
    echo "postgres: using FOG_TEST_POSTGRES from the environment"
    return 0
  fi

  if ! fog_postgres_find && [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null; then
    echo "postgres: not found; installing postgresql-15"
    { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql-15; } >/dev/null 2>&1
  fi
  if ! fog_postgres_find; then
    echo "warning: PostgreSQL not found; the PostgreSQL recovery DB tests will be skipped" >&2
    return 0
  fi

  if [ "$(id -u)" -eq 0 ]; then
    fog_postgres_user=postgres
    if ! id "$fog_postgres_user" >/dev/null 2>&1; then
      useradd --system --no-create-home --shell /usr/sbin/nologin "$fog_postgres_user" || return 1
    fi
  fi

  fog_postgres_dir=$(mktemp -d /tmp/fog-postgres.XXXXXX) || return 1
  chmod 755 "$fog_postgres_dir"
  [ -n "$fog_postgres_user" ] && chown "$fog_postgres_user" "$fog_postgres_dir"
  local data="$fog_postgres_dir/data" log="$fog_postgres_dir/postgres.log"

  if ! fog_postgres_as_user "$fog_postgres_bin/initdb" -D "$data" -U fog --auth=trust -E UTF8 --no-locale >"$fog_postgres_dir/initdb.log" 2>&1; then
    echo "error: initdb failed:" >&2
    cat "$fog_postgres_dir/initdb.log" >&2
    return 1
  fi

  # A free port: one nothing answers on.
  local port="" candidate
  for candidate in $(shuf -i 20000-60000 -n 50); do
    if ! (exec 3<>"/dev/tcp/127.0.0.1/$candidate") 2>/dev/null; then
      port=$candidate
      break
    fi
  done
  if [ -z "$port" ]; then
    echo "error: no free port for PostgreSQL" >&2
    return 1
  fi

  # Throwaway server: durability settings off for speed (a clean stop still writes everything).
  cat >>"$data/postgresql.conf" <<EOF
listen_addresses = '127.0.0.1'
port = $port
unix_socket_directories = '$fog_postgres_dir'
max_connections = 200
fsync = off
synchronous_commit = off
full_page_writes = off
EOF

  # pg_ctl for the tests that stop and restart the server (run as the server's user).
  cat >"$fog_postgres_dir/pg_ctl" <<EOF
#!/usr/bin/env bash
if [ -n "$fog_postgres_user" ] && [ "\$(id -u)" -eq 0 ]; then
  exec runuser -u "$fog_postgres_user" -- "$fog_postgres_bin/pg_ctl" "\$@"
fi
exec "$fog_postgres_bin/pg_ctl" "\$@"
EOF
  chmod 755 "$fog_postgres_dir/pg_ctl"

  if ! fog_postgres_as_user "$fog_postgres_bin/pg_ctl" -D "$data" -l "$log" -w -t 60 start >/dev/null; then
    echo "error: PostgreSQL did not start:" >&2
    cat "$log" >&2
    return 1
  fi

  if ! fog_postgres_as_user "$fog_postgres_bin/psql" -h 127.0.0.1 -p "$port" -U fog -d postgres -q -v ON_ERROR_STOP=1 \
    -c "CREATE DATABASE fog_test" >/dev/null; then
    echo "error: could not create the test database" >&2
    return 1
  fi

  export FOG_TEST_POSTGRES="Host=127.0.0.1;Port=$port;Username=fog;Database=fog_test"
  export FOG_TEST_POSTGRES_PGCTL="$fog_postgres_dir/pg_ctl"
  export FOG_TEST_POSTGRES_DATA="$data"
  echo "postgres: PostgreSQL $("$fog_postgres_bin/postgres" --version | awk '{print $3}') on 127.0.0.1:$port (data $data)"
}

fog_postgres_stop() {
  if [ -n "$fog_postgres_dir" ] && [ -d "$fog_postgres_dir/data" ]; then
    fog_postgres_as_user "$fog_postgres_bin/pg_ctl" -D "$fog_postgres_dir/data" -m immediate -w stop >/dev/null 2>&1
    rm -rf "$fog_postgres_dir"
  fi
  fog_postgres_dir=""
}

if [ "${BASH_SOURCE[0]}" = "$0" ]; then
  set -u
  fog_postgres_start || exit 1
  trap fog_postgres_stop EXIT
  trap 'exit 130' INT TERM
  echo "export FOG_TEST_POSTGRES='$FOG_TEST_POSTGRES'"
  echo "export FOG_TEST_POSTGRES_PGCTL='$FOG_TEST_POSTGRES_PGCTL'"
  echo "export FOG_TEST_POSTGRES_DATA='$FOG_TEST_POSTGRES_DATA'"
  echo "(Ctrl-C stops and removes the server)"
  while true; do sleep 3600 & wait $!; done
fi
