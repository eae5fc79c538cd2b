#!/usr/bin/env bash
# Runs the whole test suite on a fresh Debian machine with the .NET 10 SDK and Node 20:
# installs Chromium, an SMTP server and Redis from apt when missing, the front-end packages from npm, then
# `dotnet test`, and prints the totals as one line: "N passed, N failed, N skipped".
set -euo pipefail
cd "$(dirname "$0")"

need=()
[ -x /usr/bin/chromium ] || need+=(chromium)
/usr/bin/python3 -c "import aiosmtpd" 2>/dev/null || need+=(python3-aiosmtpd)
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

# Sum the counters of every .trx file into the one closing line CI reads.
passed=0; failed=0; skipped=0
for trx in "$results"/*.trx; do
  [ -e "$trx" ] || continue
  counters=$(grep -o '<Counters [^>]*>' "$trx" | head -n 1)
  get() { echo "$counters" | sed -n "s/.* $1=\"\([0-9]*\)\".*/\1/p"; }
  passed=$((passed + $(get passed)))
  failed=$((failed + $(get failed) + $(get error) + $(get timeout) + $(get aborted)))
  skipped=$((skipped + $(get notExecuted)))
done
if [ "$status" -ne 0 ] && [ "$failed" -eq 0 ]; then failed=1; fi
echo "Test results: $results"
echo "$passed passed, $failed failed, $skipped skipped"
exit "$status"
