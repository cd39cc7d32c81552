-- wrk script: `status` queries (issue #13, "status queries/s and p99 with the sample lists
-- and bundled agreements loaded"), cycling among the queries given one per line in the
-- file QUERIES (each a path with its query string), with the bearer token TOKEN (the
-- headers a script gives replace those of `wrk -H`: without TOKEN the requests are anonymous).
--
--   QUERIES=FILE TOKEN=T wrk -t1 -c4 -d10s --latency -s bench/status.lua http://127.0.0.1:PORT
local paths = {}
local token = nil
local n = 0

function init(args)
  for line in io.lines(os.getenv("QUERIES")) do
    if line ~= "" then paths[#paths + 1] = line end
  end
  token = os.getenv("TOKEN")
end

function request()
  n = n + 1
  local headers = {}
  if token then headers["Authorization"] = "Bearer " .. token end
  return wrk.format("GET", paths[(n % #paths) + 1], headers)
end
