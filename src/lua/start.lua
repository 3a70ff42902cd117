-- heft protocol 1: mark fetched jobs active (heftd only).
-- KEYS: the job hashes heft:{Q}:job:ID of one fetched batch.
-- ARGV: 1 worker (consumer) name.
-- Returns, per job, its attempt number, or 0 when the job must not run
-- (deleted, or already finished through an earlier delivery).
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local out = {}
for i, job in ipairs(KEYS) do
  local h = redis.call('HMGET', job, 'state', 'attempt')
  if h[1] == 'waiting' or h[1] == 'active' then
    local attempt = math.max(tonumber(h[2]) or 0, 1)
    redis.call('HSET', job, 'state', 'active', 'worker', ARGV[1], 'attempt', attempt,
               'started_ms', now)
    redis.call('HINCRBY', job, 'deliveries', 1)
    out[i] = attempt
  else
    out[i] = 0
  end
end
return out
