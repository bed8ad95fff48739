-- report.lua — owned by tests/bench: wrk script whose done() prints ONE
-- machine-readable line for run.sh to parse:
--   BENCH rps=<req/s> p50_ms=<ms> p99_ms=<ms> requests=<n>
--         connect=<n> read=<n> write=<n> status=<n> timeout=<n>
-- (one line; wrapped here).  status counts non-2xx/3xx answers (wrk counts
-- HTTP status > 399), so a broken target cannot look fast.
function done(summary, latency, requests)
   local e = summary.errors
   local secs = summary.duration / 1e6          -- duration is in µs
   local rps = secs > 0 and summary.requests / secs or 0
   io.write(string.format(
      "BENCH rps=%.1f p50_ms=%.3f p99_ms=%.3f requests=%d " ..
      "connect=%d read=%d write=%d status=%d timeout=%d\n",
      rps, latency:percentile(50) / 1000, latency:percentile(99) / 1000,
      summary.requests, e.connect, e.read, e.write, e.status, e.timeout))
end
