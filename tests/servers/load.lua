-- tests/servers/load.lua — wrk's script for tests/replicas.sh: POSTs the
-- original's first applicant, each request with its own X-Request-Id
-- (t<thread>-<n>), and writes every answer's status and id to
-- $LOAD_OUT.<thread> ("200 t1-17"), so the test can compare the
-- answered decisions with the audit trail one by one.
local threads = {}
local next_thread = 1

function setup(thread)
    thread:set("tid", next_thread)
    table.insert(threads, thread)
    next_thread = next_thread + 1
end

local n = 0
local out
local body = os.getenv("LOAD_BODY")

function init(args)
    out = io.open(os.getenv("LOAD_OUT") .. "." .. tid, "w")
end

function request()
    n = n + 1
    return wrk.format("POST", "/v1/prediction",
        { ["Content-Type"] = "application/json",
          ["X-Request-Id"] = "t" .. tid .. "-" .. n }, body)
end

function response(status, headers, body)
    out:write(status, " ", headers["X-Request-Id"] or "-", "\n")
    out:flush()
end
