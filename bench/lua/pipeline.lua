-- wrk script for HTTP/1.1 pipelining: each write carries DEPTH copies of the
-- request of the command line's URL (DEPTH is the script's first argument,
-- 16 by default); wrk writes again once all of their answers have come back,
-- and counts each answer as one request.

function init(args)
   local depth = tonumber(args[1]) or 16
   local batch = {}
   for i = 1, depth do
      batch[i] = wrk.format()
   end
   pipelined = table.concat(batch)
end

function request()
   return pipelined
end
