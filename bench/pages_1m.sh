#!/usr/bin/env bash
# Release measurements on an existing store (issues #13, #14): the dashboard's pages, state as
# of an instant, `status` queries, with wrk on loopback against one `accord serve`; the first
# request after start timed apart; the server's resident memory after each load; `uptime`
# beside every figure. The store is built beforehand (crates/web/examples/bench_store.rs,
# plus the sample lists: see BENCHMARKS.md, "Release measurements, stop 24").
#
#   STORE=sqlite:/tmp/b/bench.db TOKENS=/tmp/b/tokens.jsonl bench/pages_1m.sh
#
# Knobs: ACCORD (target/release/accord), DURATION (wrk seconds, 10), CONNECTIONS (4),
# ROUNDS (2: every wrk measurement made that many times, each reported), PHASES
# (default "cold pages asof status"), AS_OF (2027-06-30), STEP (seconds between the fresh
# rows' instants, 1; see bench/as_of.lua).
set -euo pipefail
cd "$(dirname "$0")/.."
ACCORD="${ACCORD:-target/release/accord}"
DURATION="${DURATION:-10}"
CONNECTIONS="${CONNECTIONS:-4}"
ROUNDS="${ROUNDS:-2}"
PHASES="${PHASES:-cold pages asof status}"
AS_OF="${AS_OF:-2027-06-30}"
ID=arden-nuclear-2026
: "${STORE:?STORE=sqlite:PATH}" "${TOKENS:?TOKENS=FILE}"
TOKEN="$("$ACCORD" token issue --role admin --tokens "$TOKENS" | grep -o 'accord_[A-Za-z0-9_-]*' | head -1)"
LUA="$(pwd)/bench"
trap 'if [ -n "${SERVER:-}" ]; then kill "$SERVER" 2>/dev/null || true; fi' EXIT
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
load() { cut -d' ' -f1-3 /proc/loadavg; }
start() {  # starts a server on a free port, waits until /healthz answers
  PORT="$(free_port)"
  "$ACCORD" serve --store "$STORE" --tokens "$TOKENS" --listen "127.0.0.1:$PORT" \
    --rate-limit-token off --rate-limit-address off >/dev/null 2>&1 &
  SERVER=$!
  for _ in $(seq 1 300); do curl -sf "http://127.0.0.1:$PORT/healthz" >/dev/null && break; sleep 0.2; done
  echo "bench: server $SERVER on port $PORT, resident $(ps -o rss= -p "$SERVER") KB, load $(load)"
}
stop() { kill "$SERVER" 2>/dev/null || true; wait "$SERVER" 2>/dev/null || true; SERVER=; }
# The server's CPU time so far (user + system, clock ticks): a row's share divided by its
# requests is the CPU per request, less noisy than p99 on cores shared with wrk.
cpu() { awk '{print $14 + $15}' "/proc/$SERVER/stat"; }
rss() { echo "bench: resident after $1: $(ps -o rss= -p "$SERVER") KB, load $(load)"; }
wrk_row() {  # name path [wrk args after --]: one line per round
  local name="$1" path="$2"; shift 2
  local kb; kb="$(curl -s -H "Authorization: Bearer $TOKEN" "http://127.0.0.1:$PORT$path" | wc -c | awk '{printf "%.1f", $1/1024}')"
  for r in $(seq 1 "$ROUNDS"); do
    local before; before="$(cpu)"
    local out; out="$(wrk -t1 -c"$CONNECTIONS" -d"${DURATION}s" --timeout 120s --latency \
      -H "Authorization: Bearer $TOKEN" "$@" "http://127.0.0.1:$PORT$path")"
    local after; after="$(cpu)"
    local failed; failed="$(awk '/Non-2xx or 3xx responses/ {print $5}' <<<"$out")"
    local requests; requests="$(awk '/requests in/ {print $1}' <<<"$out")"
    # The mean answer's size (the rows a day apart write ever larger states).
    local mean; mean="$(awk -v n="${requests:-0}" '/requests in/ { v = $5; u = v; sub(/[0-9.]+/, "", u); sub(/[A-Za-z]+$/, "", v)
      m = (u == "GB") ? 1048576 : (u == "MB") ? 1024 : (u == "KB") ? 1 : 1 / 1024
      if (n > 0) printf "%.0f", v * m / n }' <<<"$out")"
    printf '%-34s r%s %7s KB (mean %s KB) %10s req/s p50 %9s p99 %9s  cpu/req %s ms  non-2xx %s  load %s\n' "$name" "$r" "$kb" "${mean:--}" \
      "$(awk '/Requests\/sec/ {print $2}' <<<"$out")" "$(awk '$1=="50%" {print $2}' <<<"$out")" \
      "$(awk '$1=="99%" {print $2}' <<<"$out")" \
      "$(awk -v a="$before" -v b="$after" -v n="${requests:-0}" -v hz="$(getconf CLK_TCK)" \
        'BEGIN { if (n > 0) printf "%.2f", (b - a) * 1000 / hz / n; else print "-" }')" \
      "${failed:-0}" "$(load)"
  done
}
first() {  # name path: the first request after a fresh start
  start
  local t; t="$(curl -s -o /dev/null -w '%{http_code} %{time_total}' -H "Authorization: Bearer $TOKEN" "http://127.0.0.1:$PORT$1")"
  local t2; t2="$(curl -s -o /dev/null -w '%{http_code} %{time_total}' -H "Authorization: Bearer $TOKEN" "http://127.0.0.1:$PORT$1")"
  echo "bench: cold $1: first (HTTP, s) $t, second $t2; $(ps -o rss= -p "$SERVER") KB; load $(load)"
  stop
}
uptime
for phase in $PHASES; do case "$phase" in
cold)
  for _ in $(seq 1 "$ROUNDS"); do
    first "/agreements/$ID?as_of=$AS_OF"
    first "/v1/agreements/$ID/state?as_of=$AS_OF"
  done ;;
pages)
  start
  SIZE="$(curl -s "http://127.0.0.1:$PORT/v1/agreements/$ID/log" | python3 -c 'import json,sys; print(json.load(sys.stdin)["size"])')"
  echo "bench: log size $SIZE entries"
  wrk_row "home / (as of)" "/?as_of=$AS_OF"
  wrk_row "home / (now)" "/"
  wrk_row "agreement (as of)" "/agreements/$ID?as_of=$AS_OF"
  wrk_row "agreement (now)" "/agreements/$ID"
  wrk_row "indicator u235 (as of)" "/agreements/$ID/indicators/u235_enrichment?as_of=$AS_OF"
  wrk_row "indicator u235 (now)" "/agreements/$ID/indicators/u235_enrichment"
  wrk_row "log (latest 25)" "/agreements/$ID/log"
  wrk_row "log around entry 500000" "/agreements/$ID/log?entry=500000"
  wrk_row "log as of" "/agreements/$ID/log?as_of=$AS_OF"
  wrk_row "in-force answer (entity)" "/in-force?entity=eu-fsf%3AEU.1001.23&activity=food&date=2027-06-30"
  wrk_row "in-force answer (name)" "/in-force?name=Central+Bank+of+Arden&date=2027-06-30"
  wrk_row "screening answer" "/screening?name=Ivan+Ardenof"
  wrk_row "in-force form" "/in-force"
  wrk_row "screening form" "/screening"
  rss "pages"
  stop ;;
asof)
  start
  curl -s -o /dev/null -H "Authorization: Bearer $TOKEN" "http://127.0.0.1:$PORT/v1/agreements/$ID/state?as_of=$AS_OF"
  rss "the cache's fill"
  AGREEMENT="$ID" TOKEN="$TOKEN" wrk_row "state, 8 instants (memo)" "/v1/agreements/$ID/state?as_of=$AS_OF" -s "$LUA/as_of.lua"
  # Two fresh rows (bench/as_of.lua): new past cuts from 2028-01-01, new instants after
  # the last entry from 2030-01-01; one second apart unless STEP says otherwise.
  AGREEMENT="$ID" TOKEN="$TOKEN" FRESH=past wrk_row "state, fresh instant each, past" "/v1/agreements/$ID/state?as_of=$AS_OF" -s "$LUA/as_of.lua"
  AGREEMENT="$ID" TOKEN="$TOKEN" FRESH=after wrk_row "state, fresh instant each, after" "/v1/agreements/$ID/state?as_of=$AS_OF" -s "$LUA/as_of.lua"
  # A day apart: every request a new state (after the last entry, a new date; in the past,
  # a cut that sees new entries every third day), so nothing answered before is reused.
  AGREEMENT="$ID" TOKEN="$TOKEN" FRESH=past STEP=86400 wrk_row "state, a day apart, past" "/v1/agreements/$ID/state?as_of=$AS_OF" -s "$LUA/as_of.lua"
  AGREEMENT="$ID" TOKEN="$TOKEN" FRESH=after STEP=86400 wrk_row "state, a day apart, after" "/v1/agreements/$ID/state?as_of=$AS_OF" -s "$LUA/as_of.lua"
  # The same, round 365 days (SPAN=365, more than the 64 states the evaluation cache keeps:
  # every request still a new state): the rows above walk as far as their throughput takes
  # them (eight years past the log at ~300 requests/s, into 1-2 MB states), so a faster
  # binary asks larger states; these ask the same 365 whatever the binary. Past: cuts in
  # 2028, inside the log; after: dates in 2030, the year after the log's end.
  AGREEMENT="$ID" TOKEN="$TOKEN" FRESH=past STEP=86400 SPAN=365 wrk_row "state, a day apart in 2028 (past)" "/v1/agreements/$ID/state?as_of=$AS_OF" -s "$LUA/as_of.lua"
  AGREEMENT="$ID" TOKEN="$TOKEN" FRESH=after STEP=86400 SPAN=365 wrk_row "state, a day apart in 2030 (after)" "/v1/agreements/$ID/state?as_of=$AS_OF" -s "$LUA/as_of.lua"
  wrk_row "state, one instant" "/v1/agreements/$ID/state?as_of=$AS_OF"
  rss "state as of"
  stop ;;
status)
  start
  Q="$(mktemp)"
  cat >"$Q" <<Q
/v1/status?entity=eu-fsf:EU.1001.23&agreement=$ID&activity=food&date=2027-06-30
/v1/status?entity=eu-fsf:EU.2001.23&agreement=$ID&date=2027-06-30
/v1/status?name=Central%20Bank%20of%20Arden&agreement=$ID&date=2027-06-30
/v1/status?name=Bank%20Markazi%20Arden&date=2027-06-30
/v1/status?entity=eu-fsf:EU.1001.23&agreement=$ID&activity=food&date=2028-01-31
/v1/status?name=Ivan%20Ardenov&agreement=$ID&date=2027-06-30
Q
  while read -r q; do
    echo "bench: $(curl -s -o /dev/null -w '%{http_code} %{size_download} B %{time_total} s' -H "Authorization: Bearer $TOKEN" "http://127.0.0.1:$PORT$q") $q"
  done <"$Q"
  rss "the first status queries"
  QUERIES="$Q" TOKEN="$TOKEN" wrk_row "status, 6 queries" "/v1/status?entity=eu-fsf:EU.1001.23&agreement=$ID&activity=food&date=2027-06-30" -s "$LUA/status.lua"
  wrk_row "status, entity, no agreement" "/v1/status?entity=eu-fsf:EU.1001.23&date=2027-06-30"
  wrk_row "status, name, with agreement" "/v1/status?name=Central%20Bank%20of%20Arden&agreement=$ID&date=2027-06-30"
  rss "status"
  rm -f "$Q"
  stop ;;
esac; done
uptime
