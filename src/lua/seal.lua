-- heft protocol 1: seal jobs whose payload carries a secret (heftd only):
-- the payload leaves Redis as soon as a heftd holds the job, and the job's
-- lease moves from the stream's pending list to heft:{Q}:sealed.
-- take:  KEYS: 1 heft:{Q}:sealed  then per job: its ready stream, heft:{Q}:job:ID
--        ARGV: 1 "take"  2 lease (ms)  then per job: stream entry, id
--        The entry (the only copy of the payload while the job waited) is
--        acknowledged and deleted, the job listed in the sealed set scored
--        by the end of its lease (Redis's clock), and its hash gets sealed=1.
-- renew: KEYS: 1 heft:{Q}:sealed   ARGV: 1 "renew"  2 lease (ms)  then ids
--        Pushes the end of the lease of the ids still listed.
-- Returns the number of jobs sealed or renewed.
local t = redis.call('TIME')
local ends = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000) + tonumber(ARGV[2])
local n = 0
if ARGV[1] == 'renew' then
  for i = 3, #ARGV do
    n = n + redis.call('ZADD', KEYS[1], 'XX', 'CH', ends, ARGV[i])
  end
  return n
end
for j = 0, (#ARGV - 2) / 2 - 1 do
  local entry, id = ARGV[3 + j * 2], ARGV[4 + j * 2]
  local stream, job = KEYS[2 + j * 2], KEYS[3 + j * 2]
  redis.call('XACK', stream, 'heft', entry)
  redis.call('XDEL', stream, entry)
  redis.call('ZADD', KEYS[1], ends, id)
  if redis.call('EXISTS', job) == 1 then redis.call('HSET', job, 'sealed', 1) end
  n = n + 1
end
return n
