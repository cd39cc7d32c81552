#!/usr/bin/env bash
# A fixed series of state-as-of requests (issue #13): one connection asks the same instants
# one after the other, so that two binaries derive the very same states; prints the
# server's CPU time per request (from /proc, user + system) and the wall time per request.
# Unlike wrk's rows (bench/pages_1m.sh), the states asked do not depend on how fast the
# binary is. The store is copied first and never written to.
#
#   STORE_DIR=/path/with/bench.db+tokens.jsonl ACCORD=target/release/accord bench/state_series.sh
#
# Series (each `COUNT` instants a day apart, asked twice: the second pass shows what the
# evaluator's caches keep; with COUNT at most 64, the states the evaluation cache keeps,
# the second pass is answered from its memo): 2028 (past cuts inside the 1M-entry log of
# crates/web/examples/bench_store.rs) and 2030 (the year after its last entry).
set -euo pipefail
ACCORD="${ACCORD:-target/release/accord}"
COUNT="${COUNT:-365}"
: "${STORE_DIR:?STORE_DIR=directory holding bench.db and tokens.jsonl}"
WORK="$(mktemp -d)"
cp -a "$STORE_DIR/bench.db" "$STORE_DIR/tokens.jsonl" "$WORK/"
TOKEN="$("$ACCORD" token issue --role admin --tokens "$WORK/tokens.jsonl" 2>/dev/null | grep -o 'accord_[A-Za-z0-9_-]*' | head -1)"
PORT="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')"
"$ACCORD" serve --store "sqlite:$WORK/bench.db" --tokens "$WORK/tokens.jsonl" --listen "127.0.0.1:$PORT" \
  --rate-limit-token off --rate-limit-address off >/dev/null 2>&1 &
SERVER=$!
trap 'kill "$SERVER" 2>/dev/null || true; rm -rf "$WORK"' EXIT
for _ in $(seq 1 300); do curl -sf "http://127.0.0.1:$PORT/healthz" >/dev/null && break; sleep 0.2; done
URL="http://127.0.0.1:$PORT/v1/agreements/arden-nuclear-2026/state?as_of"
curl -s -o /dev/null -H "Authorization: Bearer $TOKEN" "$URL=2027-06-30"  # the cache's fill
cpu() { awk '{print $14 + $15}' "/proc/$SERVER/stat"; }
series() {  # name start(seconds since the epoch) step count
  local list; list="$(mktemp)"
  for k in $(seq 0 $(($4 - 1))); do
    echo "url = \"$URL=$(date -u -d "@$(($2 + k * $3))" +%Y-%m-%dT%H:%M:%SZ)\""
    echo 'output = "/dev/null"'
  done >"$list"
  local a t0 b t1
  a="$(cpu)"; t0="$(date +%s.%N)"
  curl -s -H "Authorization: Bearer $TOKEN" -K "$list"
  b="$(cpu)"; t1="$(date +%s.%N)"
  awk -v name="$1" -v a="$a" -v b="$b" -v t0="$t0" -v t1="$t1" -v n="$4" -v hz="$(getconf CLK_TCK)" -v ld="$(cut -d' ' -f1-3 /proc/loadavg)" \
    'BEGIN { printf "%-24s %d requests: server CPU %.2f ms, wall %.2f ms per request; load %s\n", name, n, (b-a)*1000/hz/n, (t1-t0)*1000/n, ld }'
  rm -f "$list"
}
series "2028, a day apart" 1830297600 86400 "$COUNT"
series "2028, again" 1830297600 86400 "$COUNT"
series "2030, a day apart" 1893456000 86400 "$COUNT"
series "2030, again" 1893456000 86400 "$COUNT"
