#!/usr/bin/env bash
# Dynamic security scan of a local portal with wapiti (Debian's package). Not run by CI: it takes minutes and
# its findings need a person's judgement (record them in SECURITY.md).
#
#   scripts/security-scan.sh            # report in TestResults/security-scan/
#
# What it does: installs wapiti if missing (apt, as root), builds the portal, starts it on 127.0.0.1 with a
# throw-away SQLite file and demo data (Development: plain http, so the scanner's cookies are sent back),
# signs in as coordinator@demo.local, and runs wapiti with that session cookie. Rate limits are lifted for the
# scan so the scanner is not stopped by 429s (they have their own tests).
#
# Limits, to keep the scan at roughly 10–15 minutes on a 2-core machine (override with the variables below):
#   depth 4, 40 links per page, 20 pages per folder, crawl at most SCAN_CRAWL_SECONDS, each attack module at
#   most SCAN_ATTACK_SECONDS; modules listed in SCAN_MODULES. Left out: ssrf (needs wapiti's outside endpoint,
#   unreachable here), nikto/buster/backup/htaccess (brute-force file discovery; the app serves no directory),
#   brute_login_form (would lock the demo accounts), shellshock (no CGI), xxe (the portal reads no XML),
#   wapp (needs a fingerprint download).
set -euo pipefail

ROOT="$(cd "$(dirname "$0")/.." && pwd)"
OUT="${SCAN_OUTPUT:-$ROOT/TestResults/security-scan}"
MODULES="${SCAN_MODULES:-xss,permanentxss,sql,blindsql,exec,file,redirect,crlf,csrf,csp,http_headers,cookieflags,methods}"
CRAWL_SECONDS="${SCAN_CRAWL_SECONDS:-180}"
ATTACK_SECONDS="${SCAN_ATTACK_SECONDS:-60}"
USER_EMAIL="${SCAN_USER:-coordinator@demo.local}"
PASSWORD="Demo-Password-2027"

if ! command -v wapiti >/dev/null; then
  if [ "$(id -u)" -ne 0 ]; then echo "wapiti is missing: run as root, or apt-get install wapiti first" >&2; exit 1; fi
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wapiti
fi

WORK="$(mktemp -d /tmp/consultation-scan.XXXXXX)"
PORT="$(/usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
BASE="http://127.0.0.1:$PORT"
SERVER_PID=""
cleanup() {
  if [ -n "$SERVER_PID" ] && kill -0 "$SERVER_PID" 2>/dev/null; then kill "$SERVER_PID"; wait "$SERVER_PID" 2>/dev/null || true; fi
  rm -rf "$WORK"
}
trap cleanup EXIT

echo "== building the portal"
dotnet build "$ROOT/src/Consultation.Web" -nologo -v q >/dev/null

echo "== starting the portal on $BASE (database $WORK/scan.db)"
mkdir -p "$OUT"
ASPNETCORE_ENVIRONMENT=Development \
Database__SqlitePath="$WORK/scan.db" \
DataProtection__KeysDirectory="$WORK/keys" \
Mail__SmtpHost="" Mail__PickupDirectory="$WORK/mail" \
RateLimits__SensitivePostsPerMinute=100000 \
Api__RequestsPerMinute=1000000 \
Workshops__JoinCodeFailuresPerMinute=100000 \
Logging__LogLevel__Default=Warning \
  dotnet run --no-build --project "$ROOT/src/Consultation.Web" --urls "$BASE" >"$OUT/server.log" 2>&1 &
SERVER_PID=$!
for _ in $(seq 1 120); do
  curl -fsS "$BASE/healthz" >/dev/null 2>&1 && break
  kill -0 "$SERVER_PID" 2>/dev/null || { echo "the portal did not start; see $OUT/server.log" >&2; exit 1; }
  sleep 1
done
curl -fsS "$BASE/healthz" >/dev/null

echo "== signing in as $USER_EMAIL"
JAR="$WORK/cookies.txt"
TOKEN="$(curl -fsS -c "$JAR" -b "$JAR" "$BASE/Account/Login" | sed -n 's/.*name="__RequestVerificationToken" type="hidden" value="\([^"]*\)".*/\1/p' | head -1)"
curl -fsS -o /dev/null -c "$JAR" -b "$JAR" "$BASE/Account/Login" \
  --data-urlencode "Input.Email=$USER_EMAIL" --data-urlencode "Input.Password=$PASSWORD" --data-urlencode "__RequestVerificationToken=$TOKEN"
AUTH="$(awk '$6 == "consultation.auth" { print $7 }' "$JAR")"
[ -n "$AUTH" ] || { echo "sign-in failed (no consultation.auth cookie)" >&2; exit 1; }
# wapiti's JSON cookie file: {domain: {path: {name: attributes}}}; an IP address is its own domain key.
/usr/bin/python3 - "$AUTH" >"$WORK/wapiti-cookies.json" <<'PY'
import json, sys
print(json.dumps({"127.0.0.1": {"/": {"consultation.auth": {
    "value": sys.argv[1], "version": 0, "secure": False, "expires": None, "port": None}}}}))
PY

echo "== wapiti: modules $MODULES; crawl ≤ ${CRAWL_SECONDS}s, each module ≤ ${ATTACK_SECONDS}s"
START=$(date +%s)
# Debian's wapiti 3.0.4 builds its exclusion regexes with a trailing "(?ms)", which Python 3.11 rejects
# ("global flags not at the start"): run it with that one function replaced.
wapiti() {
  /usr/bin/python3 -c '
import re, sys
import wapitiCore.net.crawler as crawler
crawler.wildcard_translate = lambda p: re.compile("(?ms)" + ".*".join(re.escape(part) for part in p.split("*")) + r"\Z")
from wapitiCore.main.wapiti import wapiti_main
sys.argv[0] = "wapiti"
sys.exit(wapiti_main())
' "$@"
}
# Signing out or changing the password would end the scanner's session mid-scan.
wapiti -u "$BASE/" --scope folder \
  -c "$WORK/wapiti-cookies.json" \
  -s "$BASE/Rounds" -s "$BASE/Organisations" -s "$BASE/Respond" -s "$BASE/Workshops" -s "$BASE/join" \
  -s "$BASE/Account/Login" -s "$BASE/Account/ForgotPassword" -s "$BASE/api/v1/openapi.json" \
  -x "$BASE/Account/Logout*" -x "$BASE/Account/Manage/ChangePassword*" -x "$BASE/Account/Manage/TwoFactor*" -x "$BASE/culture*" \
  -m "$MODULES" -d 4 --max-links-per-page 40 --max-files-per-dir 20 \
  --max-scan-time "$CRAWL_SECONDS" --max-attack-time "$ATTACK_SECONDS" \
  --flush-session --store-session "$WORK/session" --store-config "$WORK/config" \
  -t 15 -v 1 --no-bugreport \
  -f json -o "$OUT/wapiti.json" | tee "$OUT/wapiti.log"
wapiti -u "$BASE/" --skip-crawl --store-session "$WORK/session" --store-config "$WORK/config" -m "" -f html -o "$OUT/html" \
  --no-bugreport >/dev/null 2>&1 || true
echo "== scan took $(( $(date +%s) - START ))s"

/usr/bin/python3 - "$OUT/wapiti.json" <<'PY' | tee "$OUT/summary.txt"
import json, sys
report = json.load(open(sys.argv[1]))
total = 0
for section, label in (("vulnerabilities", "vulnerability"), ("anomalies", "anomaly"), ("additionals", "additional")):
    for name, items in report.get(section, {}).items():
        for item in items:
            total += 1
            print(f"{label:13} {name}: {item.get('method', '')} {item.get('path', '')} "
                  f"{item.get('parameter', '')} — {item.get('info', '')}".replace("\n", " "))
print(f"{total} finding(s); report: {sys.argv[1]}")
PY
# The exception lines after each "fail:" entry: what the 500s were.
awk '/^(fail|crit):/ { getline; getline; print }' "$OUT/server.log" | sort | uniq -c | sort -rn >"$OUT/server-errors.txt" || true
echo "server errors logged during the scan (count, exception):"; cat "$OUT/server-errors.txt"
