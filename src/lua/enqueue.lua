-- heft protocol 1: enqueue a job (idempotent on the job id).
-- KEYS: 1 heft:{Q}:job:ID  2 heft:{Q}:ready:high  3 heft:{Q}:ready:normal
--       4 heft:{Q}:ready:low  5 heft:{Q}:delayed
-- ARGV: 1 id  2 type  3 payload (JSON text)  4 options (JSON object text, or "")
-- Returns 1 when the job was created, 0 when a job with this id exists.
local id, job = ARGV[1], KEYS[1]
if #id == 0 or #id > 128 or string.sub(job, -(#id + 5)) ~= ':job:' .. id then
  return redis.error_reply('ERR heft: KEYS[1] must be heft:{QUEUE}:job:ID and the id 1 to 128 bytes')
end
if redis.call('EXISTS', job) == 1 then return 0 end
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local ok, o = pcall(cjson.decode, ARGV[4] ~= '' and ARGV[4] or '{}')
if not ok or type(o) ~= 'table' then o = {} end
local bands = { high = 2, normal = 3, low = 4 }
local prio = bands[o.priority] and o.priority or 'normal'
local due = 0
if type(o.run_at) == 'number' then
  due = o.run_at
elseif type(o.delay_ms) == 'number' and o.delay_ms > 0 then
  due = now + o.delay_ms
end
if due > now then
  redis.call('HSET', job, 'type', ARGV[2], 'payload', ARGV[3], 'opts', ARGV[4],
             'state', 'delayed', 'priority', prio, 'attempt', 0, 'created_ms', now,
             'run_at_ms', math.floor(due))
  redis.call('ZADD', KEYS[5], due, id)
else
  local entry = redis.call('XADD', KEYS[bands[prio]], '*', 'id', id, 'type', ARGV[2],
                           'payload', ARGV[3], 'opts', ARGV[4])
  redis.call('HSET', job, 'type', ARGV[2], 'opts', ARGV[4], 'state', 'waiting',
             'priority', prio, 'attempt', 0, 'created_ms', now, 'entry', entry)
end
return 1
