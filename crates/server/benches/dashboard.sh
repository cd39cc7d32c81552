#!/usr/bin/env bash
# The dashboard's pages and the API's evaluation under load (issues #13, #14): wrk p50/p99
# per page and each page's weight, for the nuclear-caps agreement with ENTRIES extra
# evidence entries in its log, on the embedded store. Two servers serve the same store:
# one with the per-agreement evaluation cache (accord_app::evaluations, the default) and
# the baseline, `--no-evaluation-cache`, which reads, verifies and evaluates the whole log
# on every request (the code path before the cache); each page is measured on both in the
# same run. The cached server's first request (which fills the cache) is timed apart.
#
#   cargo build --release -p accord-cli
#   cargo build --release -p accord-web --example bench_store
#   ENTRIES=100000 crates/server/benches/dashboard.sh      # default 100000
#
# The store is built by the bench-only generator `bench_store` (crates/web/examples: the
# same log, the reports appended in batches of 4,096 through the store's writer, each batch
# recorded at its last report's minute); PLAY=1 plays the generated scenario through
# `accord play` instead (each entry at its own minute; about an hour at 1M entries).
# Knobs: ENTRIES, PLAY, BENCH_STORE (default target/release/examples/bench_store), DURATION (wrk seconds per page and server, default 10), CONNECTIONS
# (default 4), BASELINE=0 to skip the baseline server; BASELINE_ACCORD (default $ACCORD)
# and BASELINE_FLAGS (default --no-evaluation-cache) to make the baseline another build,
# e.g. BASELINE_ACCORD=/tmp/accord-before BASELINE_FLAGS= for a before/after run.
set -euo pipefail
cd "$(dirname "$0")/../../.."
ACCORD="${ACCORD:-target/release/accord}"
ENTRIES="${ENTRIES:-100000}"
DURATION="${DURATION:-10}"
CONNECTIONS="${CONNECTIONS:-4}"
BASELINE="${BASELINE:-1}"
BASELINE_ACCORD="${BASELINE_ACCORD:-$ACCORD}"
BASELINE_FLAGS="${BASELINE_FLAGS---no-evaluation-cache}"
PLAY="${PLAY:-0}"
BENCH_STORE="${BENCH_STORE:-target/release/examples/bench_store}"
DIR="$(mktemp -d)"
trap 'kill "${SERVER:-0}" "${OLD:-0}" 2>/dev/null || true; rm -rf "$DIR"' EXIT

STORE="sqlite:$DIR/bench.db"
if [ "$PLAY" != 1 ]; then
  echo "bench: building the store with $ENTRIES extra entries ($BENCH_STORE)"
  /usr/bin/time -f "bench: built in %e s, %M KB max resident" "$BENCH_STORE" "$STORE" "$ENTRIES"
else
# The bundled scenario plus ENTRIES monthly enrichment reports by the IAEA, one a minute
# after the scenario's last event (each with its own note, so that each is its own entry).
python3 - "$ENTRIES" "$DIR" <<'PY'
import sys, datetime, pathlib
n, out = int(sys.argv[1]), pathlib.Path(sys.argv[2])
base = pathlib.Path("examples/scenarios/nuclear-caps.toml").read_text()
base = base.replace('agreement = "../nuclear-caps.toml"', f'agreement = "{pathlib.Path("examples/nuclear-caps.toml").resolve()}"')
start = datetime.datetime(2027, 5, 6, tzinfo=datetime.timezone.utc)
lines = [base]
for i in range(n):
    at = start + datetime.timedelta(minutes=i)
    first = (at.replace(day=1) - datetime.timedelta(days=1)).replace(day=1)
    last = at.replace(day=1) - datetime.timedelta(days=1)
    lines.append(f'[[events]]\nat = {at:%Y-%m-%dT%H:%M:%SZ}\nby = "iaea"\n'
                 f'evidence = {{ indicator = "u235_enrichment", period = "{first:%Y-%m-%d}/{last:%Y-%m-%d}", value = 3.6, method = "on_site_inspection", note = "reading {i}" }}\n')
(out / "bench.toml").write_text("\n".join(lines))
PY
echo "bench: playing the scenario with $ENTRIES extra entries"
/usr/bin/time -f "bench: played in %e s, %M KB max resident" "$ACCORD" play "$DIR/bench.toml" --store "$STORE" >/dev/null
fi
TOKEN="$("$ACCORD" token issue --role admin --tokens "$DIR/tokens.jsonl" | grep -o 'accord_[A-Za-z0-9_-]*' | head -1)"
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
serve() {  # binary port [flags]: starts a server, waits until it answers
  local accord="$1"; shift
  # Rate limits off: wrk is one token from one address, and the default limits would
  # answer it 429 after their burst (which is what a run with them measured).
  "$accord" serve --store "$STORE" --tokens "$DIR/tokens.jsonl" --listen "127.0.0.1:$1" \
    --rate-limit-token off --rate-limit-address off "${@:2}" >/dev/null 2>&1 &
  for _ in $(seq 1 100); do curl -sf "http://127.0.0.1:$1/healthz" >/dev/null && break; sleep 0.2; done
}
PORT="$(free_port)"
serve "$ACCORD" "$PORT"
SERVER=$!
if [ "$BASELINE" = 1 ]; then
  OLD_PORT="$(free_port)"
  # shellcheck disable=SC2086 # the flags are words
  serve "$BASELINE_ACCORD" "$OLD_PORT" $BASELINE_FLAGS
  OLD=$!
fi

ID=arden-nuclear-2026
AS_OF=2027-06-30
SIZE="$(curl -s "http://127.0.0.1:$PORT/v1/agreements/$ID/log" | python3 -c 'import json,sys; print(json.load(sys.stdin)["size"])')"
echo "bench: log size $SIZE entries"
FIRST="$(curl -s -o /dev/null -w '%{time_total}' -H "Authorization: Bearer $TOKEN" "http://127.0.0.1:$PORT/v1/agreements/$ID/state?as_of=$AS_OF")"
echo "bench: first state request to the cached server (fills the cache): ${FIRST} s"
echo "bench: load average $(cut -d' ' -f1-3 /proc/loadavg)"
printf '%-40s %7s | %10s %9s %9s | %10s %9s %9s\n' "page" "KB" "cached r/s" "p50" "p99" "base r/s" "p50" "p99"
wrk_row() {  # port path [token]: "rps p50 p99"
  local header=()
  [ -n "${3:-}" ] && header=(-H "Authorization: Bearer $3")
  local out; out="$(wrk -t1 -c"$CONNECTIONS" -d"${DURATION}s" --timeout 120s --latency "${header[@]}" "http://127.0.0.1:$1$2")"
  # A run with answers other than 2xx/3xx measured errors, not the page: say so.
  local failed; failed="$(awk '/Non-2xx or 3xx responses/ {print $5}' <<<"$out")"
  [ -n "$failed" ] && echo "bench: WARNING: $failed non-2xx answers on port $1 for $2" >&2
  printf '%10s %9s %9s' "$(awk '/Requests\/sec/ {print $2}' <<<"$out")" \
    "$(awk '$1=="50%" {print $2}' <<<"$out")" "$(awk '$1=="99%" {print $2}' <<<"$out")"
}
measure() {  # name path [token]
  local header=()
  [ -n "${3:-}" ] && header=(-H "Authorization: Bearer $3")
  local kb; kb="$(curl -s "${header[@]}" -o /dev/null -w '%{size_download}' "http://127.0.0.1:$PORT$2" | awk '{printf "%.1f", $1/1024}')"
  local cached; cached="$(wrk_row "$PORT" "$2" "${3:-}")"
  local base="         -         -         -"
  [ "$BASELINE" = 1 ] && base="$(wrk_row "$OLD_PORT" "$2" "${3:-}")"
  printf '%-40s %7s | %s | %s\n' "$1" "$kb" "$cached" "$base"
}
measure "API state JSON (admin)" "/v1/agreements/$ID/state?as_of=$AS_OF" "$TOKEN"
measure "API state JSON now (admin)" "/v1/agreements/$ID/state" "$TOKEN"
measure "API explain u235_enrichment (admin)" "/v1/agreements/$ID/explain?subject=u235_enrichment&as_of=$AS_OF" "$TOKEN"
measure "home /" "/?as_of=$AS_OF"
measure "home / now" "/"
measure "agreement" "/agreements/$ID?as_of=$AS_OF"
measure "agreement (admin)" "/agreements/$ID?as_of=$AS_OF" "$TOKEN"
measure "indicator u235_enrichment" "/agreements/$ID/indicators/u235_enrichment?as_of=$AS_OF"
measure "log (latest 25 entries)" "/agreements/$ID/log"
measure "log around entry 1000" "/agreements/$ID/log?entry=1000"
measure "log as of $AS_OF" "/agreements/$ID/log?as_of=$AS_OF"
measure "in-force form" "/in-force"
measure "screening form" "/screening"
measure "login" "/login"
echo "bench: cached server resident memory $(ps -o rss= -p "$SERVER") KB"
[ "$BASELINE" = 1 ] && echo "bench: baseline server resident memory $(ps -o rss= -p "$OLD") KB"
echo "bench: load average $(cut -d' ' -f1-3 /proc/loadavg)"
