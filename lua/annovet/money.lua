-- Exact money for Lua: amounts are integer minor units of one currency (host/core/
-- money.c does the arithmetic), prices and quantities are decimals kept as
-- (units, scale) integers. A float never enters a total: Money * 0.5 is an error,
-- Money:times("0.5") is exact and rounded once by the stated rule.
-- Values are immutable: the numbers live in a weak private table, not in the value.
local cm = require "annovet.c.money"

local M = {}

local priv = setmetatable({}, {__mode = "k"})
local Money, Decimal = {}, {}
local money_methods, decimal_methods = {}, {}

M.ROUNDINGS = {["half-up"] = true, ["half-even"] = true}

-- The metatables are locked, so a value's kind is read from the private table.
local function kind(v)
  local p = type(v) == "table" and priv[v]
  return p and p.kind
end

local function check(v, msg, ...)
  if v == nil then error(msg, 3) end
  return v, msg, ...
end

-- ---- decimals ----

local function new_decimal(units, scale)
  local d = setmetatable({}, Decimal)
  priv[d] = {kind = "decimal", units = units, scale = scale}
  return d
end

-- decimal("0.035") -> Decimal, or nil, message, offset. An integer is a decimal too.
function M.decimal(v)
  if kind(v) == "decimal" then return v end
  if math.type(v) == "integer" then return new_decimal(v, 0) end
  if type(v) ~= "string" then
    return nil, "expected a decimal as text (\"0.035\") or an integer, got " ..
      (math.type(v) == "float" and "a float (money takes text: \"0.035\", never 0.035)" or type(v))
  end
  local units, scale, at = cm.parse(v)
  if not units then return nil, scale, at end
  return new_decimal(units, scale)
end

function M.is_decimal(v) return kind(v) == "decimal" end

local function dec(v)
  local d, msg = M.decimal(v)
  if not d then error(msg, 3) end
  return priv[d]
end

-- The text of a decimal with its own scale ("0.035", "7.50").
local function decimal_text(p)
  return cm.format(p.units, p.scale)
end

function decimal_methods:text() return decimal_text(priv[self]) end
function decimal_methods:units() return priv[self].units, priv[self].scale end
-- Digits after the point once trailing zeros are dropped ("0.0350" -> 3).
function decimal_methods:precision()
  local p = priv[self]
  local u, s = p.units, p.scale
  while s > 0 and u % 10 == 0 do u, s = u // 10, s - 1 end
  return s
end
function decimal_methods:is_negative() return priv[self].units < 0 end
-- Exact product of two decimals.
function decimal_methods:mul(other)
  local a, b = priv[self], dec(other)
  local u, s = check(cm.mul(a.units, a.scale, b.units, b.scale))
  return new_decimal(u, s)
end
-- Exact sum of two decimals.
function decimal_methods:add(other)
  local a, b = priv[self], dec(other)
  local s = math.max(a.scale, b.scale)
  local au = check(cm.round(a.units, a.scale, s))
  local bu = check(cm.round(b.units, b.scale, s))
  return new_decimal(check(cm.add(au, bu)), s)
end
-- Compares: -1, 0, 1.
function decimal_methods:cmp(other)
  local a, b = priv[self], dec(other)
  local s = math.max(a.scale, b.scale)
  local au = check(cm.round(a.units, a.scale, s))
  local bu = check(cm.round(b.units, b.scale, s))
  return au < bu and -1 or au > bu and 1 or 0
end
-- The decimal rounded to digits places, as an integer of 10^-digits.
function decimal_methods:scaled(digits, rounding)
  local p = priv[self]
  return check(cm.round(p.units, p.scale, digits, rounding or "half-up"))
end

Decimal.__index = decimal_methods
Decimal.__tostring = function(d) return decimal_text(priv[d]) end
Decimal.__eq = function(a, b) return a:cmp(b) == 0 end
Decimal.__lt = function(a, b) return M.decimal(a):cmp(b) < 0 end
Decimal.__le = function(a, b) return M.decimal(a):cmp(b) <= 0 end
Decimal.__metatable = "locked"

-- ---- money ----

-- digits(code) -> ISO 4217 minor-unit digits, or nil.
M.digits = cm.digits

local function new_money(minor, currency, digits)
  local m = setmetatable({}, Money)
  priv[m] = {kind = "money", minor = minor, currency = currency, digits = digits}
  return m
end

-- minor(1234, "USD") -> 12.34 USD.
function M.minor(n, currency)
  if math.type(n) ~= "integer" then error("money.minor: minor units must be an integer", 2) end
  local digits = cm.digits(currency or "")
  if not digits then error("money: unknown currency '" .. tostring(currency) .. "' (an ISO 4217 code)", 2) end
  return new_money(n, currency, digits)
end

-- new("12.34", "USD") -> Money, exactly; more decimals than the currency has is an
-- error unless a rounding rule ("half-up" | "half-even") is given.
function M.new(text, currency, rounding)
  local digits = cm.digits(currency or "")
  if not digits then error("money: unknown currency '" .. tostring(currency) .. "' (an ISO 4217 code)", 2) end
  local d, msg = M.decimal(text)
  if not d then error("money: " .. msg, 2) end
  if d:precision() > digits and not rounding then
    error(string.format("money: %s has more decimals than %s's %d; give a rounding rule", text, currency, digits), 2)
  end
  return new_money(d:scaled(digits, rounding), currency, digits)
end

-- amount(quantity, price, currency, rounding) -> quantity x price rounded once to
-- the currency's minor unit by rounding ("half-up" default, or "half-even").
function M.amount(quantity, price, currency, rounding)
  local digits = cm.digits(currency or "")
  if not digits then error("money: unknown currency '" .. tostring(currency) .. "'", 2) end
  local q, p = dec(quantity), dec(price)
  local u, s = check(cm.mul(q.units, q.scale, p.units, p.scale))
  return new_money(check(cm.round(u, s, digits, rounding or "half-up")), currency, digits)
end

function M.is_money(v) return kind(v) == "money" end

local function same(a, b, op)
  if kind(a) ~= "money" or kind(b) ~= "money" then
    error("money " .. op .. ": both sides must be money (use money.new or money.minor)", 3)
  end
  local pa, pb = priv[a], priv[b]
  if pa.currency ~= pb.currency then
    error(string.format("money %s: %s and %s do not mix", op, pa.currency, pb.currency), 3)
  end
  return pa, pb
end

function money_methods:text() local p = priv[self] return cm.format(p.minor, p.digits) end
function money_methods:minor_units() return priv[self].minor end
function money_methods:currency() return priv[self].currency end
function money_methods:digits() return priv[self].digits end
function money_methods:is_zero() return priv[self].minor == 0 end
-- {minor = 4319, text = "43.19"}: how JSON output carries an amount.
function money_methods:json() local p = priv[self] return {minor = p.minor, text = cm.format(p.minor, p.digits)} end
-- self x decimal, rounded once ("half-up" default).
function money_methods:times(d, rounding)
  local p = priv[self]
  local q = dec(d)
  local u, s = check(cm.mul(p.minor, p.digits, q.units, q.scale))
  return new_money(check(cm.round(u, s, p.digits, rounding or "half-up")), p.currency, p.digits)
end
-- self / n as a decimal text with `extra` more decimals than the currency (default
-- 4), rounded by rounding: a cost per asset, which is often below one cent.
function money_methods:per(n, extra, rounding)
  local p = priv[self]
  if math.type(n) ~= "integer" or n <= 0 then error("money:per: a positive integer count", 2) end
  extra = extra or 4
  local scaled = check(cm.round(p.minor, 0, extra))        -- minor x 10^extra
  local q = check(cm.div(scaled, n, rounding or "half-up"))
  return cm.format(q, p.digits + extra)
end
-- self x num / den rounded once (shares of a total, ratios of counts).
function money_methods:scale(num, den, rounding)
  local p = priv[self]
  local t = check(cm.mul(p.minor, 0, num, 0))
  return new_money(check(cm.div(t, den, rounding or "half-up")), p.currency, p.digits)
end

Money.__index = function(m, k)
  if k == "minor" then return priv[m].minor end
  return money_methods[k]
end
Money.__newindex = function() error("money values cannot be changed", 2) end
Money.__add = function(a, b)
  local pa, pb = same(a, b, "+")
  return new_money(check(cm.add(pa.minor, pb.minor)), pa.currency, pa.digits)
end
Money.__sub = function(a, b)
  local pa, pb = same(a, b, "-")
  return new_money(check(cm.sub(pa.minor, pb.minor)), pa.currency, pa.digits)
end
Money.__unm = function(a)
  local p = priv[a]
  return new_money(check(cm.sub(0, p.minor)), p.currency, p.digits)
end
Money.__mul = function(a, b)
  if kind(a) ~= "money" then a, b = b, a end
  if math.type(b) ~= "integer" then
    error("money * " .. (math.type(b) or type(b)) .. ": multiply by an integer, or use m:times(\"0.035\")", 2)
  end
  local p = priv[a]
  local u = check(cm.mul(p.minor, 0, b, 0))
  return new_money(u, p.currency, p.digits)
end
Money.__div = function() error("money / x: use m:per(n) (a decimal text) or m:scale(num, den)", 2) end
Money.__eq = function(a, b)
  local pa, pb = priv[a], priv[b]
  return pa.currency == pb.currency and pa.minor == pb.minor
end
Money.__lt = function(a, b) local pa, pb = same(a, b, "<") return pa.minor < pb.minor end
Money.__le = function(a, b) local pa, pb = same(a, b, "<=") return pa.minor <= pb.minor end
Money.__tostring = function(m) local p = priv[m] return cm.format(p.minor, p.digits) .. " " .. p.currency end
Money.__metatable = "locked"

-- Sum of a list of money values (zero in currency when the list is empty).
function M.sum(list, currency)
  local total = M.minor(0, currency)
  for _, m in ipairs(list) do total = total + m end
  return total
end

return M
