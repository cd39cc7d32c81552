-- wrk script: state-as-of requests for one agreement (issue #13, "state as of an instant
-- at 1M entries").
--
--   AGREEMENT=ID TOKEN=T [FRESH=past|after] [STEP=S] [SPAN=N] wrk -t1 -c4 -d10s --latency -s bench/as_of.lua http://127.0.0.1:PORT
--
-- Default: cycles among eight instants, so each is asked many times and, after its first
-- request, answered from the evaluation cache's memo (repeated questions).
--
-- With `FRESH`, every request asks a new instant, STEP seconds after the one before (1
-- unless given), which the memo has never seen: one derivation per request.
--   FRESH=past:  from 2028-01-01T00:00:00Z, before the store's last record (bench_store's
--                1M-entry log ends about 2029-04): past cuts, each seeing a prefix of the
--                log (with STEP=1, consecutive cuts mostly see the same entries).
--   FRESH=after: from 2030-01-01T00:00:00Z, after every entry: what a "now" request asks.
-- The starting instants are fixed (not drawn), so that runs compare; wrk's threads each
-- start a million steps apart.
--
-- With `SPAN=N` the instants go round N steps (the (N+1)th request asks the first
-- instant again): a row then asks the same N instants whatever its throughput. Without it
-- a faster binary walks further: at STEP=86400 a 10 s row at ~300 requests/s asks dates
-- eight years on, where every monthly period since the log's last report (2029-04) is
-- overdue and has opened a dispute, and the states grow to 1-2 MB (stop 31). With SPAN
-- above 64 (the states the evaluation cache keeps, `STATES_KEPT` in
-- crates/app/src/evaluations.rs, oldest out first) every request is still a new
-- derivation; at most 64, the second round is answered from the memo. Every wrk thread
-- goes round the same SPAN instants. (Before stop 30, `FRESH=1` started at 2028-01-01 plus a
-- random offset of up to three years, so a run was either all past cuts or all after the
-- last entry, by chance.)
local id = "arden-nuclear-2026"
local token = nil
local fresh = nil
local step = 1
local instants = {
  "2026-07-01", "2026-12-31", "2027-03-15", "2027-06-30",
  "2027-12-31T12:00:00Z", "2028-06-30", "2028-12-31", "2029-03-01",
}
-- Seconds since the epoch (os.time would read a date table in the machine's zone).
local starts = {
  past = 1830297600,  -- 2028-01-01T00:00:00Z
  after = 1893456000, -- 2030-01-01T00:00:00Z
}
local n = 0
local threads = 0
local base = 0
local span = nil

function setup(thread)
  thread:set("thread_number", threads)
  threads = threads + 1
end

function init(args)
  id = os.getenv("AGREEMENT") or id
  token = os.getenv("TOKEN")
  local mode = os.getenv("FRESH")
  if mode ~= nil and mode ~= "" then
    assert(starts[mode], "FRESH is `past` or `after`, not `" .. mode .. "`")
    fresh = mode
    base = starts[mode]
  end
  step = tonumber(os.getenv("STEP") or "1")
  span = tonumber(os.getenv("SPAN") or "")
  assert(span == nil or (span >= 1 and span == math.floor(span)), "SPAN is a whole number of instants, at least 1")
  n = (tonumber(thread_number) or 0) * 1000000 - 1
end

function request()
  n = n + 1
  local at
  if fresh then
    local k = n
    if span then k = n % span end
    at = os.date("!%Y-%m-%dT%H:%M:%SZ", base + k * step)
  else
    at = instants[(n % #instants) + 1]
  end
  local headers = {}
  if token then headers["Authorization"] = "Bearer " .. token end
  return wrk.format("GET", "/v1/agreements/" .. id .. "/state?as_of=" .. at, headers)
end
