-- heft protocol 1: delete jobs of one queue (heftctl delete and purge).
-- KEYS: 1..3 heft:{Q}:ready:high|normal|low  4 heft:{Q}:delayed  5 heft:{Q}:dead
--       6 heft:{Q}:sealed  then per job: heft:{Q}:job:ID, heft:{Q}:reply:ID
-- ARGV: 1 the states to delete, separated by spaces ("" for any), then the ids.
-- A job's hash and reply list are deleted and its id is removed from the
-- delayed, dead and sealed sets.  A waiting job's stream entry is deleted
-- too.  A job a heftd holds (its entry is pending, or it is in the sealed
-- set) counts as active whatever its hash says, and keeps its pending
-- entry: that heftd acknowledges and deletes it when the job ends, and
-- drops the outcome, as finish.lua does for a job whose hash is gone; if
-- the heftd died, reclaim.lua deletes the entry when the lease runs out.
-- Returns per id the job's state before (active for a held job), "missing"
-- when it had no hash (stale ids are still removed from the sets), or
-- "kept:STATE" for a job whose state is not one of ARGV[1] (left alone).
local bands = { high = 1, normal = 2, low = 3 }
local out = {}
local function held(stream, entry, id)
  if redis.call('ZSCORE', KEYS[6], id) then return true end
  if not entry then return false end
  local p = redis.pcall('XPENDING', stream, 'heft', entry, entry, 1)
  return type(p) == 'table' and not p.err and #p > 0
end
for i = 2, #ARGV do
  local id, job, reply = ARGV[i], KEYS[5 + (i - 1) * 2], KEYS[6 + (i - 1) * 2]
  local h = redis.call('HMGET', job, 'state', 'entry', 'priority')
  local stream = KEYS[bands[h[3]] or 2]
  local state = h[1] or 'missing'
  if (state == 'waiting' or state == 'active') and held(stream, h[2], id) then
    state = 'active'
  end
  if h[1] and ARGV[1] ~= '' and not string.find(' ' .. ARGV[1] .. ' ', ' ' .. state .. ' ', 1, true) then
    state = 'kept:' .. state
  else
    if state == 'waiting' and h[2] then redis.call('XDEL', stream, h[2]) end
    redis.call('DEL', job, reply)
    redis.call('ZREM', KEYS[4], id)
    redis.call('ZREM', KEYS[5], id)
    redis.call('ZREM', KEYS[6], id)
  end
  table.insert(out, state)
end
return out
