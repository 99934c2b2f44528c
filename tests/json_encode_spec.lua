-- annovet.json.encode never writes invalid UTF-8: bytes that are not UTF-8, in
-- values and in keys, are written as U+FFFD; two keys that would be written as
-- the same text are an error rather than a JSON object with a duplicate key.
local H = require "tests.support.helper"

-- Runs a script that prints annovet.json.encode of what it builds.
local function encode(body)
  return H.run("run " .. H.q(H.script(body)))
end

-- Whether s is valid UTF-8 (utf8.len is Lua's own decoder).
local function valid_utf8(s)
  return utf8.len(s) ~= nil
end

describe("json.encode", function()
  after_each(H.cleanup)

  it("writes a value's bytes that are not UTF-8 as U+FFFD", function()
    local out, err, code = encode([[print(annovet.json.encode({"a\xffb", "\xc3", "ok\xc3\xa9"}))]])
    assert.are.equal(0, code, err)
    assert.is_true(valid_utf8(out), out)
    assert.are.same({"a\u{FFFD}b", "\u{FFFD}", "ok\u{E9}"}, H.decode(out))
  end)

  it("writes a key's bytes that are not UTF-8 as U+FFFD, and keeps its value", function()
    local out, err, code = encode([[print(annovet.json.encode({["a\xff"] = 1, ["n\0m"] = 2, b = 3}))]])
    assert.are.equal(0, code, err)
    assert.is_true(valid_utf8(out), out)
    assert.are.same({["a\u{FFFD}"] = 1, ["n\u{FFFD}m"] = 2, b = 3}, H.decode(out))
  end)

  it("refuses two keys written as the same text, naming it", function()
    local _, err, code = encode([[print(annovet.json.encode({["a\xff"] = 1, ["a\xfe"] = 2}))]])
    assert.are_not.equal(0, code)
    assert.matches("at key 'a\u{FFFD}': two keys are written as this same text", err, 1, true)
    _, err, code = encode([[print(annovet.json.encode({[1] = "x", ["1"] = "y", [3] = "z"}))]])
    assert.are_not.equal(0, code)
    assert.matches("at key '1': two keys are written as this same text", err, 1, true)
  end)
end)
