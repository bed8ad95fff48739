-- post.lua — owned by tests/bench: wrk script for rows that need a method
-- other than GET, a request body and/or an extra header.  Reads:
--   BENCH_METHOD     e.g. POST                (default: GET)
--   BENCH_BODY_FILE  file whose bytes are sent as the body (Content-Type
--                    defaults to application/json when a body is given)
--   BENCH_HEADER     "Name: value", e.g. "Authorization: Bearer TOKEN"
-- and reuses report.lua's done() for the result line.
local here = debug.getinfo(1, "S").source:match("^@(.*/)") or "tests/bench/"
dofile(here .. "report.lua")

local method = os.getenv("BENCH_METHOD")
if method and method ~= "" then wrk.method = method end

local body_file = os.getenv("BENCH_BODY_FILE")
if body_file and body_file ~= "" then
   local f = assert(io.open(body_file, "rb"))
   wrk.body = f:read("*a")
   f:close()
   wrk.headers["Content-Type"] = "application/json"
end

local header = os.getenv("BENCH_HEADER")
if header and header ~= "" then
   local name, value = header:match("^%s*([^:]+):%s*(.-)%s*$")
   assert(name, "BENCH_HEADER must look like 'Name: value'")
   wrk.headers[name] = value
end

-- "{{seq}}" in the body becomes a per-thread counter (7 digits), so rows
-- such as ticket creation can vary what they send (e.g. the fault number).
if wrk.body and wrk.body:find("{{seq}}", 1, true) then
   local template, seq = wrk.body, 0
   request = function()
      seq = seq + 1
      return wrk.format(nil, nil, nil, (template:gsub("{{seq}}", string.format("%07d", seq % 10000000))))
   end
end
