-- heft protocol 1: requeue jobs whose worker stopped renewing its lease (heftd only).
-- KEYS: 1 the ready stream they came from  2 heft:{Q}:dead  3 heft:{Q}:stats
--       4 heft:{Q}:sealed  then per job: heft:{Q}:job:ID, heft:{Q}:reply:ID
-- ARGV: 1 max deliveries  2 dead TTL (s)  3 events channel
--       then 5 per job: stream entry, id, type, payload, options
-- A job with a stream entry was claimed by the caller with XAUTOCLAIM.
-- Each such entry is a lost delivery (counted in lost_deliveries): a job
-- lost max-deliveries times becomes dead with error code "poison" (it keeps
-- taking its workers down); others go back to the tail of the stream as
-- waiting.
-- A job with an empty stream entry (and payload) is a sealed one whose
-- lease in heft:{Q}:sealed looked over: if it still is by Redis's clock,
-- it becomes dead with code "lost", as nobody holds its payload any more.
-- Returns {requeued, dead}.
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local maxd, ttl = tonumber(ARGV[1]), tonumber(ARGV[2])
local requeued, buried = 0, 0
local function bury(job, reply, id, attempt, code, msg, opts, ...)
  local json = cjson.encode({ id = id, state = 'dead', attempt = attempt,
                              error = { code = code, message = msg } })
  redis.call('HSET', job, 'state', 'dead', 'error_code', code, 'error', msg,
             'finished_ms', now, 'attempt', attempt, ...)
  redis.call('EXPIRE', job, ttl)
  redis.call('ZADD', KEYS[2], now, id)
  local ok, o = pcall(cjson.decode, opts ~= '' and opts or '{}')
  if ok and type(o) == 'table' and o.reply == true then
    redis.call('RPUSH', reply, json)
    redis.call('EXPIRE', reply, ttl)
  end
  redis.call('PUBLISH', ARGV[3], json)
  redis.call('HINCRBY', KEYS[3], 'dead', 1)
  -- the per-minute ring and today's counts, as finish.lua keeps them
  local minute, day = math.floor(now / 60000), math.floor(now / 86400000)
  for _, w in ipairs({ { 'm:' .. (minute % 60), minute }, { 'd', day } }) do
    if redis.call('HGET', KEYS[3], w[1]) ~= tostring(w[2]) then
      redis.call('HDEL', KEYS[3], w[1] .. ':succeeded', w[1] .. ':failed', w[1] .. ':dead',
                 w[1] .. ':retried', w[1] .. ':released')
      redis.call('HSET', KEYS[3], w[1], w[2])
    end
    redis.call('HINCRBY', KEYS[3], w[1] .. ':dead', 1)
  end
  buried = buried + 1
end
for j = 0, (#ARGV - 3) / 5 - 1 do
  local a = 3 + j * 5
  local entry, id, typ, payload, opts = ARGV[a + 1], ARGV[a + 2], ARGV[a + 3], ARGV[a + 4], ARGV[a + 5]
  local job, reply = KEYS[5 + j * 2], KEYS[6 + j * 2]
  local h = redis.call('HMGET', job, 'state', 'attempt', 'opts')
  local live = h[1] == 'active' or h[1] == 'waiting'
  local attempt = math.max(tonumber(h[2]) or 1, 1)
  if entry == '' then
    local ends = redis.call('ZSCORE', KEYS[4], id)
    if ends and tonumber(ends) <= now then
      redis.call('ZREM', KEYS[4], id)
      if live then
        bury(job, reply, id, attempt, 'lost', 'the heftd running it stopped without an outcome, ' ..
             'and its payload was sealed (removed from Redis) when it was taken, so it cannot ' ..
             'run again: enqueue it again', h[3] or '')
      end
    end
  else
    if live then
      local lost = redis.call('HINCRBY', job, 'lost_deliveries', 1)
      if lost >= maxd then
        bury(job, reply, id, attempt, 'poison', 'its workers stopped ' .. lost ..
             ' times without an outcome; quarantined', opts, 'payload', payload)
      else
        local e = redis.call('XADD', KEYS[1], '*', 'id', id, 'type', typ, 'payload', payload,
                             'opts', opts, 'attempt', attempt)
        redis.call('HSET', job, 'state', 'waiting', 'entry', e)
        requeued = requeued + 1
      end
    end
    redis.call('XACK', KEYS[1], 'heft', entry)
    redis.call('XDEL', KEYS[1], entry)
  end
end
return { requeued, buried }
