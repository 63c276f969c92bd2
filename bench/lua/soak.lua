-- wrk script for soak.sh: each connection cycles through the four routes the
-- soak server serves well-formed requests on, so every answer is a 2xx
-- (soak.sh counts any other status, and any socket error, as a failure).

local requests = {}
local next_request = 0

function init(args)
   requests[1] = wrk.format("GET", "/plaintext")
   requests[2] = wrk.format("GET", "/json")
   requests[3] = wrk.format("GET", "/items/1")
   requests[4] = wrk.format("POST", "/echo", { ["Content-Type"] = "application/json" },
                            '{"id":7,"name":"pear"}')
end

function request()
   next_request = next_request % #requests + 1
   return requests[next_request]
end
