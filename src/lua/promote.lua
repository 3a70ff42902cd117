-- heft protocol 1: move due delayed and retrying jobs to their ready stream (heftd only).
-- KEYS: 1 heft:{Q}:delayed  2..4 heft:{Q}:ready:high|normal|low
--       then heft:{Q}:job:ID for each candidate
-- ARGV: the candidate ids, in the order of their job keys.
-- A candidate that is no longer due (changed meanwhile) is left alone.
-- Returns the number of jobs moved.
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local bands = { high = 2, normal = 3, low = 4 }
local moved = 0
for i, id in ipairs(ARGV) do
  local job = KEYS[4 + i]
  local due = redis.call('ZSCORE', KEYS[1], id)
  if due and tonumber(due) <= now then
    redis.call('ZREM', KEYS[1], id)
    local h = redis.call('HMGET', job, 'type', 'payload', 'opts', 'priority', 'attempt')
    if h[1] then
      local entry = redis.call('XADD', KEYS[bands[h[4]] or 3], '*', 'id', id, 'type', h[1],
                               'payload', h[2] or '', 'opts', h[3] or '',
                               'attempt', math.max(tonumber(h[5]) or 1, 1))
      redis.call('HSET', job, 'state', 'waiting', 'entry', entry)
      redis.call('HDEL', job, 'payload')
      moved = moved + 1
    end
  end
end
return moved
