-- wrk script: state-as-of requests for one agreement (issue #13, "state as of an instant
-- at 1M entries").
--
--   AGREEMENT=ID TOKEN=T [FRESH=1] wrk -t1 -c4 -d10s --latency -s bench/as_of.lua http://127.0.0.1:PORT
--
-- Default: cycles among eight instants, so each is asked many times and, after its first
-- request, answered from the evaluation cache's memo (repeated questions). With `FRESH=1`
-- every request asks a new instant (one second apart, from 2028-01-01T00:00:00Z), which
-- the memo has never seen: one derivation per request, as a "now" request costs.
local id = "arden-nuclear-2026"
local token = nil
local fresh = false
local instants = {
  "2026-07-01", "2026-12-31", "2027-03-15", "2027-06-30",
  "2027-12-31T12:00:00Z", "2028-06-30", "2028-12-31", "2029-03-01",
}
local n = 0
local base = os.time({ year = 2028, month = 1, day = 1, hour = 0, min = 0, sec = 0 })

function init(args)
  id = os.getenv("AGREEMENT") or id
  token = os.getenv("TOKEN")
  fresh = os.getenv("FRESH") == "1"
  -- Each wrk thread gets its own range of fresh instants.
  n = math.random(0, 1000) * 100000
end

function request()
  n = n + 1
  local at
  if fresh then
    at = os.date("!%Y-%m-%dT%H:%M:%SZ", base + n)
  else
    at = instants[(n % #instants) + 1]
  end
  local headers = {}
  if token then headers["Authorization"] = "Bearer " .. token end
  return wrk.format("GET", "/v1/agreements/" .. id .. "/state?as_of=" .. at, headers)
end
