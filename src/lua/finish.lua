-- heft protocol 1: record the outcome of a batch of jobs of one queue (heftd only).
-- KEYS: 1..3 heft:{Q}:ready:high|normal|low  4 heft:{Q}:delayed  5 heft:{Q}:dead
--       6 heft:{Q}:stats  7 heft:{Q}:sealed
--       then per job: heft:{Q}:job:ID, heft:{Q}:reply:ID
-- ARGV: 1 events channel  2 worker (consumer) name, then 13 per job:
--       id, stream entry, band (1..3), outcome, outcome message (JSON), a, b, c, n,
--       attempt, ms since the worker started the job, 1 if the job asked for a reply,
--       1 if the job is sealed (its lease is in the sealed set; its payload, c, is
--       given only to release it)
--   ok:    a result JSON, b blob, n result TTL (s)
--   fail:  a code, b message, c payload, n result TTL (s)
--   dead:  a code, b message, c payload, n dead TTL (s)
--   retry: a code, b message, c payload, n delay (ms)
--   release: a type, b options, c payload; the job goes back to the tail
--          of its stream as waiting (shutdown)
--   skip:  nothing; only the stream entry is removed
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local nows = t[1] .. string.format('%03d', math.floor(tonumber(t[2]) / 1000))
local done = { {}, {}, {} }
local counts = { ok = 0, fail = 0, dead = 0, retry = 0, release = 0 }
-- An ended job: one HSET, its expiry, the reply if asked for, the event.  HSET says
-- how many fields were new: all of them means the hash was gone (the job
-- was deleted meanwhile), and a deleted job stays deleted.  The attempt,
-- worker and start are set here too: a short job is never marked active.
local function final(job, reply, ttl, json, attempt, age, want, nfields, ...)
  if redis.call('HSET', job, 'finished_ms', nows, 'attempt', attempt, 'worker', ARGV[2],
                'started_ms', now - tonumber(age), ...) == nfields + 3 then
    redis.call('DEL', job)
    return false
  end
  redis.call('EXPIRE', job, ttl)
  if want == '1' then
    redis.call('RPUSH', reply, json)
    redis.call('EXPIRE', reply, ttl)
  end
  redis.call('PUBLISH', ARGV[1], json)
  return true
end
for j = 0, (#ARGV - 2) / 13 - 1 do
  local a = j * 13 + 2
  local id, entry, band, outcome = ARGV[a + 1], ARGV[a + 2], tonumber(ARGV[a + 3]), ARGV[a + 4]
  local json, x, y, z, n = ARGV[a + 5], ARGV[a + 6], ARGV[a + 7], ARGV[a + 8], ARGV[a + 9]
  local attempt, age, want, sealed = ARGV[a + 10], ARGV[a + 11], ARGV[a + 12], ARGV[a + 13]
  local job, reply = KEYS[8 + j * 2], KEYS[9 + j * 2]
  local ok = false
  table.insert(done[band], entry)
  if sealed == '1' then redis.call('ZREM', KEYS[7], id) end
  if outcome == 'ok' then
    if y ~= '' then
      ok = final(job, reply, n, json, attempt, age, want, 4, 'state', 'succeeded', 'result', x, 'blob', y)
    else
      ok = final(job, reply, n, json, attempt, age, want, 3, 'state', 'succeeded', 'result', x)
    end
  elseif outcome == 'fail' or outcome == 'dead' then
    local st = outcome == 'fail' and 'failed' or 'dead'
    if sealed == '1' then   -- its payload never comes back into Redis
      ok = final(job, reply, n, json, attempt, age, want, 4, 'state', st, 'error_code', x, 'error', y)
    else
      ok = final(job, reply, n, json, attempt, age, want, 5, 'state', st, 'error_code', x, 'error', y, 'payload', z)
    end
    if ok and outcome == 'dead' then redis.call('ZADD', KEYS[5], now, id) end
  elseif outcome ~= 'skip' and redis.call('EXISTS', job) == 1 then
    ok = true
    if outcome == 'release' then
      local attempt = tonumber(redis.call('HGET', job, 'attempt')) or 1
      local e = redis.call('XADD', KEYS[band], '*', 'id', id, 'type', x, 'payload', z, 'opts', y,
                           'attempt', math.max(attempt, 1))
      redis.call('HSET', job, 'state', 'waiting', 'entry', e)
      if sealed == '1' then redis.call('HDEL', job, 'sealed') end
    else -- retry
      local due = now + tonumber(n)
      redis.call('HSET', job, 'state', 'retrying', 'error_code', x, 'error', y, 'payload', z,
                 'lost_deliveries', 0, 'run_at_ms', due, 'attempt', tonumber(attempt) + 1,
                 'worker', ARGV[2], 'started_ms', now - tonumber(age))
      redis.call('ZADD', KEYS[4], due, id)
    end
  end
  if ok then counts[outcome] = counts[outcome] + 1 end
end
for band = 1, 3 do
  if #done[band] > 0 then
    redis.call('XACK', KEYS[band], 'heft', unpack(done[band]))
    redis.call('XDEL', KEYS[band], unpack(done[band]))
  end
end
-- The totals, and the same counts per window of time in the stats hash:
-- for rates a ring of 60 minutes, slot m:S (S = minute % 60) holding the
-- minute (ms / 60000) its fields m:S:NAME count; for "today" the field d
-- holding the day (ms / 86400000, UTC) the fields d:NAME count.  A window
-- holding another minute or day is emptied before it counts again.
local names = { ok = 'succeeded', fail = 'failed', dead = 'dead', retry = 'retried', release = 'released' }
local minute, day = math.floor(now / 60000), math.floor(now / 86400000)
local windows = { { 'm:' .. (minute % 60), minute }, { 'd', day } }
local fresh = false
for k, c in pairs(counts) do
  if c > 0 then
    for _, w in ipairs(windows) do
      local p = w[1]
      if not fresh and redis.call('HGET', KEYS[6], p) ~= tostring(w[2]) then
        redis.call('HDEL', KEYS[6], p .. ':succeeded', p .. ':failed', p .. ':dead',
                   p .. ':retried', p .. ':released')
        redis.call('HSET', KEYS[6], p, w[2])
      end
      redis.call('HINCRBY', KEYS[6], p .. ':' .. names[k], c)
    end
    fresh = true
    redis.call('HINCRBY', KEYS[6], names[k], c)
  end
end
return 1
