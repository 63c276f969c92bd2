-- wrk script for POST /items: every request creates a new item, so every
-- answer is a 201 (run.sh counts any other status as a failure).
--
-- Ids are distinct across requests and threads: thread k posts
-- k * 10^12 + 1, k * 10^12 + 2, ... which never meets another thread's range
-- nor the seeded ids 1 and 2. The script's first argument, if any, moves
-- every range up by that much: one server takes every round of run.sh, whose
-- round r posts from k * 10^12 + r * 10^9 and whose warm-up from
-- k * 10^12 + 5 * 10^11, so that no run meets another's ids. Lua numbers
-- are doubles, exact up to 2^53, so the ids stay exact for thousands of
-- threads; "%.0f" prints them without an exponent.

local threads = 0

function setup(thread)
   threads = threads + 1
   thread:set("thread_base", threads * 1e12)
end

function init(args)
   next_id = thread_base + (tonumber(args[1]) or 0)
end

local headers = { ["Content-Type"] = "application/json" }

function request()
   next_id = next_id + 1
   local body = string.format('{"id":%.0f,"name":"pear"}', next_id)
   return wrk.format("POST", "/items", headers, body)
end
