-- Calendar arithmetic for the contract's clauses, with no time zone: ISO dates
-- ("2026-03-02", or the date part of "2026-03-02T10:00:00Z") as day numbers, and
-- business days (Monday to Friday, less the holidays given).
local M = {}

-- Days since 1970-01-01 of year y, month m, day d (proleptic Gregorian; Howard
-- Hinnant's days_from_civil).
local function days_from_civil(y, m, d)
  if m <= 2 then y = y - 1 end
  local era = (y >= 0 and y or y - 399) // 400
  local yoe = y - era * 400
  local doy = (153 * (m + (m > 2 and -3 or 9)) + 2) // 5 + d - 1
  local doe = yoe * 365 + yoe // 4 - yoe // 100 + doy
  return era * 146097 + doe - 719468
end

-- The day number of an ISO date or time, or nil and a message.
function M.day(s)
  if type(s) ~= "string" then return nil, "not a date" end
  local y, m, d = s:match("^(%d%d%d%d)%-(%d%d)%-(%d%d)")
  y, m, d = tonumber(y), tonumber(m), tonumber(d)
  if not y or m < 1 or m > 12 or d < 1 or d > 31 then
    return nil, string.format("'%s' is not a date (YYYY-MM-DD)", s)
  end
  local n = days_from_civil(y, m, d)
  -- 2026-02-30 would be 2026-03-02: refuse what does not round-trip
  local y2, m2 = y, m + 1
  if m2 > 12 then y2, m2 = y + 1, 1 end
  if n >= days_from_civil(y2, m2, 1) then return nil, string.format("'%s' is not a date", s) end
  return n
end

-- True for a date (YYYY-MM-DD) or a time (YYYY-MM-DDTHH:MM[:SS[.fff]][Z]) of the ISO form.
function M.valid(s)
  if not M.day(s) then return false end
  return #s == 10 or s:match("^%d%d%d%d%-%d%d%-%d%dT%d%d:%d%d") ~= nil
end

-- 0 Sunday .. 6 Saturday.
function M.weekday(n)
  return (n + 4) % 7
end

-- Business days from a to b: the Monday-to-Friday days after a's date up to and
-- including b's, less those in holidays (a list of ISO dates). 0 when b is on or
-- before a. nil and a message for a bad date.
function M.business_days(a, b, holidays)
  local da, err = M.day(a)
  if not da then return nil, err end
  local db, err2 = M.day(b)
  if not db then return nil, err2 end
  local off = {}
  for _, h in ipairs(holidays or {}) do
    local n = M.day(h)
    if n then off[n] = true end
  end
  local count = 0
  for n = da + 1, db do
    local w = M.weekday(n)
    if w ~= 0 and w ~= 6 and not off[n] then count = count + 1 end
  end
  return count
end

return M
