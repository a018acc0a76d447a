-- GET /api/verify/{licence} for licence identifiers picked at random from licences.txt.
local ids = {}
function init(args)
  for line in io.lines(args[1]) do ids[#ids + 1] = line end
  math.randomseed(os.time())
end
function request()
  return wrk.format("GET", "/api/verify/" .. ids[math.random(#ids)])
end
function response(status)
  if status ~= 200 then io.stderr:write("status " .. status .. "\n") end
end
