-- GET /api/verify/{licence} for licence identifiers picked at random from licences.txt.
-- Requests are formatted once in init() (see queries.lua).
local requests = {}
function init(args)
  for line in io.lines(args[1]) do requests[#requests + 1] = wrk.format("GET", "/api/verify/" .. line) end
  math.randomseed(os.time())
end
function request()
  return requests[math.random(#requests)]
end
function response(status)
  if status ~= 200 then io.stderr:write("status " .. status .. "\n") end
end
