-- wrk script for bench/whole_app.sh: the load on a flaskr, carafe's or Flask's. Its arguments:
-- the load, then the username and password of a user the database holds, then for "mixed" how
-- many index requests come before each login:
--
--   index    GET / only
--   login    POST /auth/login with the right password only (each answered by a redirect)
--   mixed    N index requests, then one login, over and over (one wrk thread: over all its
--            connections together)
--
-- The username and password go into the form as they are: keep them to letters and digits.
-- At the end it prints, one per line: "requests <n>", "rps <requests per second>",
-- "p50 <us>", "p99 <us>" and "failed <n>" (answers other than 2xx and 3xx, and socket errors).

local requests = {}
local next_request = 0

function init(args)
   local load, username, password, mix = args[1], args[2], args[3], tonumber(args[4])
   local index = wrk.format("GET", "/")
   local login = wrk.format("POST", "/auth/login",
                            { ["Content-Type"] = "application/x-www-form-urlencoded" },
                            "username=" .. tostring(username) .. "&password=" .. tostring(password))
   if load == "index" then
      requests = { index }
   elseif load == "login" then
      requests = { login }
   elseif load == "mixed" and mix then
      for i = 1, mix do
         requests[i] = index
      end
      requests[mix + 1] = login
   else
      error("flaskr.lua: the load is index, login or mixed N, not " .. tostring(load))
   end
end

function request()
   next_request = next_request % #requests + 1
   return requests[next_request]
end

function done(summary, latency, requests)
   local errors = summary.errors
   io.write(string.format("requests %d\n", summary.requests))
   io.write(string.format("rps %.1f\n", summary.requests / summary.duration * 1e6))
   io.write(string.format("p50 %d\n", latency:percentile(50)))
   io.write(string.format("p99 %d\n", latency:percentile(99)))
   io.write(string.format("failed %d\n",
                          errors.status + errors.connect + errors.read + errors.write + errors.timeout))
end
