-- Prints the latency percentiles wrk's --latency leaves out (99.9) beside the usual ones,
-- in microseconds, one per line: "p50 <us>", "p99 <us>", "p99.9 <us>". For bench/connections.sh.
function done(summary, latency, requests)
   for _, p in ipairs({ 50, 99, 99.9 }) do
      io.write(string.format("p%g %d\n", p, latency:percentile(p)))
   end
end
