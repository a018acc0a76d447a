-- POST /api/public/query with bodies picked at random from queries.txt (name + ID number).
local bodies = {}
function init(args)
  for line in io.lines(args[1]) do bodies[#bodies + 1] = line end
  math.randomseed(os.time())
end
function request()
  return wrk.format("POST", "/api/public/query", { ["Content-Type"] = "application/json" }, bodies[math.random(#bodies)])
end
function response(status)
  if status ~= 200 then io.stderr:write("status " .. status .. "\n") end
end
