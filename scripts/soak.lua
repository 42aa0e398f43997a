-- Mixed CORS traffic for scripts/soak.sh against examples/soak_server.rs:
-- preflights, actual requests and hostile requests across its 50 routes,
-- with random origins. Each response is checked against what its kind of
-- request must get (status, and whether Access-Control-Allow-Origin echoes
-- the request's Origin or is absent, and Vary: Origin where it applies);
-- done() prints the counts per kind and every kind of unexpected answer.
--
-- Run it with as many connections as threads (wrk -tN -cN): each thread
-- then has one request in flight, so a response always belongs to the last
-- request its thread built.

local ROUTES = 50
local unpack = table.unpack or unpack
local TOKEN = "Bearer soak-token"

-- kind = { weight, expected status, ACAO ("origin" | "none"), Vary: Origin? }
local KINDS = {
  preflight_ok      = { 20, 204, "origin", true },
  get_ok            = { 20, 200, "origin", true },
  put_ok            = { 8,  200, "origin", true },
  delete_ok         = { 4,  204, "origin", true },
  get_no_token      = { 8,  401, "origin", true },
  preflight_evil    = { 8,  403, "none",   true },
  get_evil          = { 8,  200, "none",   true },
  get_no_origin     = { 5,  200, "none",   true },
  huge_acrh         = { 4,  403, "none",   true },
  many_acrh_names   = { 3,  403, "none",   true },
  acrh_not_allowed  = { 3,  403, "none",   true },
  bad_method_token  = { 3,  403, "none",   false },
  lowercase_patch   = { 3,  403, "none",   false },
  two_origins       = { 3,  403, "none",   true },
  non_utf8_origin   = { 3,  200, "none",   true },
  null_preflight    = { 2,  403, "none",   true },
  unknown_preflight = { 2,  403, "none",   false },
}

local names, total_weight = {}, 0
for name, kind in pairs(KINDS) do
  names[#names + 1] = name
  total_weight = total_weight + kind[1]
end
table.sort(names)

local threads = {}
local next_id = 1

function setup(thread)
  thread:set("id", next_id)
  next_id = next_id + 1
  threads[#threads + 1] = thread
end

local huge, many
counts, unexpected, samples = {}, {}, {}
local pending_kind, pending_origin

function init(args)
  math.randomseed(os.time() * 1000 + id)
  -- 8 KB of allowed names: refused from its length alone.
  huge = string.rep("x-request-id,", math.floor(8192 / 13))
  -- 70 short names: over the 64-name limit, under the length limit.
  local list = {}
  for i = 1, 70 do list[i] = "x-request-id" end
  many = table.concat(list, ",")
end

local function label()
  local n, chars = math.random(1, 12), {}
  for i = 1, n do chars[i] = string.char(math.random(97, 122)) end
  return table.concat(chars)
end

local function allowed_origin(route)
  local r = math.random(4)
  if r == 1 then return "https://app.example.com" end
  if r == 2 then return "https://" .. label() .. ".example.com" end
  if r == 3 then return "https://" .. label() .. "." .. label() .. ".example.com" end
  return "https://r" .. route .. ".partner.test"
end

local EVIL = {
  "https://evilexample.com",
  "https://example.com.evil.net",
  "https://a.example.com.evil.net",
  "http://app.example.com",
  "https://app.example.com:8443",
  "https://app.example.com:443",
  "https://app.example.com/",
  "HTTPS://APP.EXAMPLE.COM",
  "https://example.com",
}

local function evil_origin(route)
  local r = math.random(#EVIL + 2)
  if r <= #EVIL then return EVIL[r] end
  if r == #EVIL + 1 then return "https://r" .. ((route + 1) % ROUTES) .. ".partner.test" end
  return "https://" .. label() .. ".evil.test"
end

-- A raw request: header lines in order, duplicates allowed.
local function raw(method, path, lines, body)
  local out = { method .. " " .. path .. " HTTP/1.1", "Host: " .. wrk.headers["Host"] }
  for _, line in ipairs(lines) do out[#out + 1] = line[1] .. ": " .. line[2] end
  body = body or ""
  if #body > 0 then out[#out + 1] = "Content-Length: " .. #body end
  return table.concat(out, "\r\n") .. "\r\n\r\n" .. body
end

local function pick_kind()
  local r = math.random() * total_weight
  for _, name in ipairs(names) do
    r = r - KINDS[name][1]
    if r <= 0 then return name end
  end
  return names[#names]
end

local BUILD = {
  preflight_ok = function(path, route, origin)
    local methods = { "GET", "POST", "PUT", "DELETE" }
    return raw("OPTIONS", path, {
      { "Origin", origin },
      { "Access-Control-Request-Method", methods[math.random(#methods)] },
      { "Access-Control-Request-Headers", "authorization,content-type,x-request-id" },
    })
  end,
  get_ok = function(path, route, origin)
    return raw("GET", path, { { "Origin", origin }, { "Authorization", TOKEN } })
  end,
  put_ok = function(path, route, origin)
    return raw("PUT", path, {
      { "Origin", origin }, { "Authorization", TOKEN }, { "Content-Type", "application/json" },
    }, "{\"n\":" .. math.random(1000) .. "}")
  end,
  delete_ok = function(path, route, origin)
    return raw("DELETE", path, { { "Origin", origin }, { "Authorization", TOKEN } })
  end,
  get_no_token = function(path, route, origin)
    return raw("GET", path, { { "Origin", origin } })
  end,
  preflight_evil = function(path, route, origin)
    return raw("OPTIONS", path, {
      { "Origin", origin }, { "Access-Control-Request-Method", "PUT" },
      { "Access-Control-Request-Headers", "authorization" },
    })
  end,
  get_evil = function(path, route, origin)
    return raw("GET", path, { { "Origin", origin }, { "Authorization", TOKEN } })
  end,
  get_no_origin = function(path, route, origin)
    return raw("GET", path, { { "Authorization", TOKEN } })
  end,
  huge_acrh = function(path, route, origin)
    return raw("OPTIONS", path, {
      { "Origin", origin }, { "Access-Control-Request-Method", "PUT" },
      { "Access-Control-Request-Headers", huge },
    })
  end,
  many_acrh_names = function(path, route, origin)
    return raw("OPTIONS", path, {
      { "Origin", origin }, { "Access-Control-Request-Method", "PUT" },
      { "Access-Control-Request-Headers", many },
    })
  end,
  acrh_not_allowed = function(path, route, origin)
    return raw("OPTIONS", path, {
      { "Origin", origin }, { "Access-Control-Request-Method", "PUT" },
      { "Access-Control-Request-Headers", "x-" .. label() },
    })
  end,
  bad_method_token = function(path, route, origin)
    local bad = { "P@TCH", "GET /x", "PUT,DELETE", "" }
    return raw("OPTIONS", path, {
      { "Origin", origin }, { "Access-Control-Request-Method", bad[math.random(#bad)] },
    })
  end,
  lowercase_patch = function(path, route, origin)
    return raw("OPTIONS", path, {
      { "Origin", origin }, { "Access-Control-Request-Method", "patch" },
    })
  end,
  two_origins = function(path, route, origin)
    return raw("GET", path, {
      { "Origin", origin }, { "Origin", origin }, { "Authorization", TOKEN },
    })
  end,
  non_utf8_origin = function(path, route, origin)
    return raw("GET", path, {
      { "Origin", "https://\255" .. label() .. ".example.com" }, { "Authorization", TOKEN },
    })
  end,
  null_preflight = function(path, route, origin)
    return raw("OPTIONS", path, {
      { "Origin", "null" }, { "Access-Control-Request-Method", "PUT" },
    })
  end,
  unknown_preflight = function(path, route, origin)
    return raw("OPTIONS", "/api/nowhere/" .. label(), {
      { "Origin", origin }, { "Access-Control-Request-Method", "GET" },
    })
  end,
}

function request()
  local kind = pick_kind()
  local route = math.random(0, ROUTES - 1)
  local path = "/api/r" .. route .. "/" .. math.random(1, 1000000)
  -- Only the `_evil` kinds come from refused origins; the other refusals
  -- are about what an allowed origin sent.
  local origin
  if kind:find("_evil$") then
    origin = evil_origin(route)
  else
    origin = allowed_origin(route)
  end
  pending_kind, pending_origin = kind, origin
  return BUILD[kind](path, route, origin)
end

-- Counts each distinct unexpected answer, up to 20 of them per thread.
local distinct = 0
local function note(kind, what)
  unexpected[kind] = (unexpected[kind] or 0) + 1
  local key = kind .. ": " .. what
  if samples[key] == nil then
    if distinct >= 20 then key = kind .. ": (other answers)" end
    if samples[key] == nil then
      distinct = distinct + 1
      samples[key] = 0
    end
  end
  samples[key] = samples[key] + 1
end

function response(status, headers, body)
  local kind = pending_kind
  if kind == nil then return end
  local _, want_status, want_acao, want_vary = unpack(KINDS[kind])
  counts[kind] = (counts[kind] or 0) + 1
  local acao = headers["access-control-allow-origin"]
  local vary = headers["vary"] or ""
  if status ~= want_status then
    note(kind, "status " .. status)
  elseif want_acao == "origin" and acao ~= pending_origin then
    note(kind, "ACAO " .. tostring(acao) .. " for Origin " .. pending_origin)
  elseif want_acao == "none" and acao ~= nil then
    note(kind, "ACAO " .. acao .. " for a refused Origin")
  elseif want_vary and not vary:find("Origin") then
    note(kind, "no Vary: Origin")
  elseif want_acao == "origin" and headers["access-control-allow-credentials"] ~= "true" then
    note(kind, "no Access-Control-Allow-Credentials: true")
  end
  pending_kind = nil
end

function done(summary, latency, requests)
  local all_counts, all_unexpected, all_samples = {}, {}, {}
  for _, thread in ipairs(threads) do
    for k, v in pairs(thread:get("counts")) do all_counts[k] = (all_counts[k] or 0) + v end
    for k, v in pairs(thread:get("unexpected")) do all_unexpected[k] = (all_unexpected[k] or 0) + v end
    for k, v in pairs(thread:get("samples")) do all_samples[k] = (all_samples[k] or 0) + v end
  end
  local checked, bad = 0, 0
  io.write("kind                 expected  responses  unexpected\n")
  for _, name in ipairs(names) do
    local n, u = all_counts[name] or 0, all_unexpected[name] or 0
    checked, bad = checked + n, bad + u
    io.write(string.format("%-20s %8d %10d %11d\n", name, KINDS[name][2], n, u))
  end
  io.write(string.format("responses checked: %d\n", checked))
  io.write(string.format("unexpected: %d\n", bad))
  io.write(string.format("socket errors: connect %d, read %d, write %d, timeout %d\n",
    summary.errors.connect, summary.errors.read, summary.errors.write, summary.errors.timeout))
  for key, n in pairs(all_samples) do
    io.write(string.format("  unexpected %s (x%d)\n", key, n))
  end
end
