-- heft protocol 1: mark fetched jobs active (heftd only).
-- heftd sends it pipelined with its next fetch and does not wait for it, so
-- a job may already have finished when this runs: only jobs still waiting
-- (or active through an earlier delivery) are touched.
-- KEYS: the job hashes heft:{Q}:job:ID of one fetched batch.
-- ARGV: 1 worker (consumer) name.
-- Returns the number of jobs marked active.
local t = redis.call('TIME')
local now = t[1] .. string.format('%03d', math.floor(tonumber(t[2]) / 1000))
local started = 0
for _, job in ipairs(KEYS) do
  local h = redis.call('HMGET', job, 'state', 'attempt', 'deliveries')
  if h[1] == 'waiting' or h[1] == 'active' then
    redis.call('HSET', job, 'state', 'active', 'worker', ARGV[1], 'started_ms', now,
               'attempt', math.max(tonumber(h[2]) or 0, 1), 'deliveries', (tonumber(h[3]) or 0) + 1)
    started = started + 1
  end
end
return started
