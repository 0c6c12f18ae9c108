-- Scenario 2: GET /api/v1/projects?status=RUNNING&size=50&page=K, K random over the RUNNING pages.
local pages = tonumber(os.getenv("BENCH_PAGES") or "40")
math.randomseed(os.time())
local headers = {["Authorization"] = "Bearer " .. os.getenv("BENCH_TOKEN")}
request = function()
  return wrk.format("GET", "/api/v1/projects?status=RUNNING&size=50&page=" .. math.random(0, pages - 1), headers)
end
