-- POST /api/public/query with bodies picked at random from queries.txt (name + ID number).
-- Requests are formatted once in init(), so the load generator spends its time sending, not
-- building tables: the bare "hello" run it is compared with uses no script at all.
local requests = {}
function init(args)
  for line in io.lines(args[1]) do
    requests[#requests + 1] = wrk.format("POST", "/api/public/query", { ["Content-Type"] = "application/json" }, line)
  end
  math.randomseed(os.time())
end
function request()
  return requests[math.random(#requests)]
end
function response(status)
  if status ~= 200 then io.stderr:write("status " .. status .. "\n") end
end
