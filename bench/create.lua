-- Scenario 3: POST /api/v1/projects with names unique across threads and runs.
local counter = 0
local f = io.open("/dev/urandom", "rb")
local run = string.gsub(f:read(6), ".", function(c) return string.format("%02x", string.byte(c)) end)
f:close()
local threads = 0
setup = function(thread)
  threads = threads + 1
  thread:set("tag", run .. "-" .. threads)
end
request = function()
  counter = counter + 1
  local body = '{"name":"create-' .. tag .. '-' .. counter .. '",' ..
    '"source":{"type":"MYSQL","host":"10.0.0.5","port":3306,"database":"shop","username":"mig","password":"s"},' ..
    '"destination":{"type":"OCEANBASE_MYSQL","host":"10.0.0.9","port":2881,"database":"shop","username":"mig","password":"s"},' ..
    '"migrationTypes":["FULL_MIGRATION"],"objects":[{"schema":"shop","table":"orders","rows":1000}],' ..
    '"labels":{"team":"bench"}}'
  return wrk.format("POST", "/api/v1/projects", {["Content-Type"] = "application/json", ["Authorization"] = "Bearer " .. os.getenv("BENCH_TOKEN")}, body)
end
