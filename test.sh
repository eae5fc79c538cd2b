#!/usr/bin/env bash
# Runs the whole test suite on a fresh Debian machine with the .NET 10 SDK and Node 20:
# installs Chromium, an SMTP server, PostgreSQL and Redis from apt when missing, the front-end packages from npm,
# then `dotnet test` (SQLite), the web integration tests a second time on a throw-away PostgreSQL cluster, and
# prints the totals of both as one line: "N passed, N failed, N skipped".
set -euo pipefail
cd "$(dirname "$0")"

need=()
[ -x /usr/bin/chromium ] || need+=(chromium)
/usr/bin/python3 -c "import aiosmtpd" 2>/dev/null || need+=(python3-aiosmtpd)
pg_bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)
[ -n "$pg_bin" ] && [ -x "$pg_bin/initdb" ] || need+=(postgresql)
[ -x /usr/bin/redis-server ] || need+=(redis-server)
if [ ${#need[@]} -gt 0 ]; then
  sudo=""; [ "$(id -u)" = 0 ] || sudo=sudo
  echo "Installing from apt: ${need[*]}"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi

(cd wwwroot-src && npm ci --no-audit --no-fund --loglevel=error && node copy-lib.mjs)

results="$(pwd)/TestResults/$(date +%Y%m%d-%H%M%S)"
mkdir -p "$results"
status=0
dotnet test Consultation.sln --logger "trx" --results-directory "$results" "$@" || status=$?

# The web integration tests again on PostgreSQL: a throw-away cluster on loopback (trust auth, no fsync), owned by
# a non-root user because PostgreSQL refuses to run as root; each test class creates and drops its own database.
pg_bin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
pg_dir=$(mktemp -d /tmp/consultation-pg.XXXXXX)
pg_port=$(/usr/bin/python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
pg_as=()
if [ "$(id -u)" = 0 ]; then
  id -u postgres >/dev/null 2>&1 || useradd --system --no-create-home --shell /usr/sbin/nologin postgres
  chown postgres "$pg_dir"
  pg_as=(runuser -u postgres --)
fi
pg_stop() {
  "${pg_as[@]}" "$pg_bin/pg_ctl" -D "$pg_dir/data" -m fast -w stop >/dev/null 2>&1 || true
  rm -rf "$pg_dir"
}
trap pg_stop EXIT
if "${pg_as[@]}" "$pg_bin/initdb" -D "$pg_dir/data" -U postgres --auth=trust -E UTF8 --no-locale >"$pg_dir/initdb.log" 2>&1 &&
   "${pg_as[@]}" "$pg_bin/pg_ctl" -D "$pg_dir/data" -l "$pg_dir/server.log" -w \
     -o "-c listen_addresses=127.0.0.1 -p $pg_port -k $pg_dir -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=300" start >/dev/null; then
  CONSULTATION_TEST_POSTGRES="Host=127.0.0.1;Port=$pg_port;Username=postgres" \
    dotnet test tests/Consultation.Web.Tests --logger "trx;LogFileName=web-postgres.trx" --results-directory "$results" "$@" || status=$?
else
  echo "PostgreSQL did not start:"; cat "$pg_dir/initdb.log" "$pg_dir/server.log" 2>/dev/null || true
  status=1
fi
pg_stop
trap - EXIT

# Sum the counters of every .trx file into the one closing line CI reads.
passed=0; failed=0; skipped=0
for trx in "$results"/*.trx; do
  [ -e "$trx" ] || continue
  counters=$(grep -o '<Counters [^>]*>' "$trx" | head -n 1)
  get() { echo "$counters" | sed -n "s/.* $1=\"\([0-9]*\)\".*/\1/p"; }
  passed=$((passed + $(get passed)))
  failed=$((failed + $(get failed) + $(get error) + $(get timeout) + $(get aborted)))
  # xunit's skipped tests show as total − executed (its notExecuted counter stays 0).
  skipped=$((skipped + $(get total) - $(get executed)))
done
if [ "$status" -ne 0 ] && [ "$failed" -eq 0 ]; then failed=1; fi
echo "Test results: $results"
echo "$passed passed, $failed failed, $skipped skipped"
exit "$status"
