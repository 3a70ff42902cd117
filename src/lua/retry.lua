-- heft protocol 1: run dead or failed jobs of one queue again (heftctl retry).
-- KEYS: 1..3 heft:{Q}:ready:high|normal|low  4 heft:{Q}:dead
--       then per job: heft:{Q}:job:ID, heft:{Q}:reply:ID
-- ARGV: 1 a job type to retry only jobs of that type ("" for any), then the ids.
-- A dead or failed job goes back to the tail of its stream as waiting,
-- with the payload its hash kept, for a fresh set of attempts: attempt is
-- 0 again; lost_deliveries, run_at_ms, finished_ms, result, blob and
-- progress are removed; the hash no longer expires; the old reply list is
-- deleted (a waiter hears the new outcome) and the id leaves the dead set.
-- error_code and error stay (the last failure) until the job ends again.
-- A job in any other state is left alone: it is waiting, held by a heftd,
-- scheduled or succeeded, and must not run twice.
-- Returns per id "retried", or why not: "missing" (no hash; the id is
-- removed from the dead set), "type" (another type), "sealed" (its payload
-- left Redis when heftd took it), or the job's state.
local bands = { high = 1, normal = 2, low = 3 }
local out = {}
for i = 2, #ARGV do
  local id, job, reply = ARGV[i], KEYS[3 + (i - 1) * 2], KEYS[4 + (i - 1) * 2]
  local h = redis.call('HMGET', job, 'state', 'type', 'payload', 'opts', 'priority', 'sealed')
  local why
  if not h[1] then
    redis.call('ZREM', KEYS[4], id)
    why = 'missing'
  elseif h[1] ~= 'dead' and h[1] ~= 'failed' then
    why = h[1]
  elseif ARGV[1] ~= '' and h[2] ~= ARGV[1] then
    why = 'type'
  elseif h[6] == '1' or not h[3] then
    why = 'sealed'
  else
    local e = redis.call('XADD', KEYS[bands[h[5]] or 2], '*', 'id', id, 'type', h[2],
                         'payload', h[3], 'opts', h[4] or '')
    redis.call('HDEL', job, 'payload', 'lost_deliveries', 'run_at_ms', 'finished_ms',
               'result', 'blob', 'progress')
    redis.call('HSET', job, 'state', 'waiting', 'entry', e, 'attempt', 0)
    redis.call('PERSIST', job)
    redis.call('DEL', reply)
    redis.call('ZREM', KEYS[4], id)
    why = 'retried'
  end
  table.insert(out, why)
end
return out
