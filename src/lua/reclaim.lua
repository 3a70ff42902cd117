-- heft protocol 1: requeue jobs whose worker stopped renewing its lease (heftd only).
-- The caller has claimed the entries with XAUTOCLAIM.
-- KEYS: 1 the ready stream they came from  2 heft:{Q}:dead  3 heft:{Q}:stats
--       then per job: heft:{Q}:job:ID, heft:{Q}:reply:ID
-- ARGV: 1 max deliveries  2 dead TTL (s)  3 events channel
--       then 5 per entry: stream entry, id, type, payload, options
-- Each such entry is a lost delivery (counted in lost_deliveries): a job
-- lost max-deliveries times becomes dead with error code "poison" (it keeps
-- taking its workers down); others go back to the tail of the stream as
-- waiting.
-- Returns {requeued, poisoned}.
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local maxd, ttl = tonumber(ARGV[1]), tonumber(ARGV[2])
local requeued, poisoned = 0, 0
for j = 0, (#ARGV - 3) / 5 - 1 do
  local a = 3 + j * 5
  local entry, id, typ, payload, opts = ARGV[a + 1], ARGV[a + 2], ARGV[a + 3], ARGV[a + 4], ARGV[a + 5]
  local job, reply = KEYS[4 + j * 2], KEYS[5 + j * 2]
  local h = redis.call('HMGET', job, 'state', 'attempt')
  if h[1] == 'active' or h[1] == 'waiting' then
    local lost = redis.call('HINCRBY', job, 'lost_deliveries', 1)
    if lost >= maxd then
      local msg = 'its workers stopped ' .. lost .. ' times without an outcome; quarantined'
      local json = cjson.encode({ id = id, state = 'dead', attempt = math.max(tonumber(h[2]) or 1, 1),
                                  error = { code = 'poison', message = msg } })
      redis.call('HSET', job, 'state', 'dead', 'error_code', 'poison', 'error', msg,
                 'payload', payload, 'finished_ms', now)
      redis.call('EXPIRE', job, ttl)
      redis.call('ZADD', KEYS[2], now, id)
      local ok, o = pcall(cjson.decode, opts ~= '' and opts or '{}')
      if ok and type(o) == 'table' and o.reply == true then
        redis.call('RPUSH', reply, json)
        redis.call('EXPIRE', reply, ttl)
      end
      redis.call('PUBLISH', ARGV[3], json)
      redis.call('HINCRBY', KEYS[3], 'dead', 1)
      poisoned = poisoned + 1
    else
      local e = redis.call('XADD', KEYS[1], '*', 'id', id, 'type', typ, 'payload', payload,
                           'opts', opts, 'attempt', math.max(tonumber(h[2]) or 1, 1))
      redis.call('HSET', job, 'state', 'waiting', 'entry', e)
      requeued = requeued + 1
    end
  end
  redis.call('XACK', KEYS[1], 'heft', entry)
  redis.call('XDEL', KEYS[1], entry)
end
return { requeued, poisoned }
