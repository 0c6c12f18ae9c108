-- Scenario 1: GET /api/v1/projects/{id} of random ids (from ids.txt).
local ids = {}
for line in io.lines(os.getenv("BENCH_IDS") or "ids.txt") do ids[#ids + 1] = line end
math.randomseed(os.time())
local headers = {["Authorization"] = "Bearer " .. os.getenv("BENCH_TOKEN")}
request = function()
  return wrk.format("GET", "/api/v1/projects/" .. ids[math.random(#ids)], headers)
end
