-- heft protocol 1: take up to COUNT new entries from ready streams in the
-- given order, so a higher band or a queue listed first is served first (heftd only).
-- KEYS: the ready streams, in the order to serve them.
-- ARGV: 1 consumer name  2 count
-- Returns the XREADGROUP replies of the streams that had entries.
local want = tonumber(ARGV[2])
local out = {}
for _, stream in ipairs(KEYS) do
  if want <= 0 then break end
  local r = redis.call('XREADGROUP', 'GROUP', 'heft', ARGV[1], 'COUNT', want, 'STREAMS', stream, '>')
  if r then
    table.insert(out, r[1])
    want = want - #r[1][2]
  end
end
return out
