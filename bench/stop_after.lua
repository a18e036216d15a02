-- wrk script: stop once STOP_AFTER responses have been received (bounded load).
local limit = tonumber(os.getenv("STOP_AFTER") or "250000")
local count = 0
local threads = {}
function setup(thread) table.insert(threads, thread) end
function response(status, headers, body)
  count = count + 1
  if count >= limit then wrk.thread:stop() end
end
