-- heft protocol 1: mark jobs a heftd holds as active (heftd only).
-- heftd sends it for the jobs it fetched, at most poll_ms after the fetch;
-- a job that ends sooner may never be marked (finish.lua records its
-- start).  Only jobs still waiting (or active through an earlier delivery)
-- are touched: a job may have ended before this runs.
-- KEYS: the job hashes heft:{Q}:job:ID.
-- ARGV: 1 worker (consumer) name.
-- Returns the number of jobs marked active.
local t = redis.call('TIME')
local now = t[1] .. string.format('%03d', math.floor(tonumber(t[2]) / 1000))
local marked = 0
for _, job in ipairs(KEYS) do
  local h = redis.call('HMGET', job, 'state', 'attempt')
  if h[1] == 'waiting' or h[1] == 'active' then
    redis.call('HSET', job, 'state', 'active', 'worker', ARGV[1], 'started_ms', now,
               'attempt', math.max(tonumber(h[2]) or 0, 1))
    marked = marked + 1
  end
end
return marked
