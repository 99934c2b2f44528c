-- Option checks shared by every command (lua/annovet/args.lua): a bad --format, or
-- any value outside an option's choices or range, is one line naming the option,
-- the value and what it takes, exit 2, in every command alike.
local H = require "tests.support.helper"

local function one_line(args, expected)
  local out, err, code = H.run(args)
  assert.are.equal(2, code, args .. ": " .. err)
  assert.are.equal("", out, args)
  assert.are.equal("annovet: " .. expected .. "\n", err, args)
end

describe("option values", function()
  it("--format is checked the same way in every command that has it", function()
    local gold = "examples/pilot/gold.json"
    one_line("agree tests/agree/fleiss1971.csv --wide --metric fleiss_kappa --format xml",
      "--format: expected json, csv or table, got 'xml'")
    one_line("compare --gold " .. gold .. " --vendor v=examples/pilot/acme.json --format xml",
      "--format: expected json, csv or table, got 'xml'")
    one_line("inspect " .. gold .. " --format xml", "--format: expected json or table, got 'xml'")
    one_line("cocoeval --gt " .. gold .. " --dt " .. gold .. " --iou-type bbox --format csv",
      "--format: expected json or table, got 'csv'")
    one_line("drift --store none.db --format csv", "--format: expected json or table, got 'csv'")
  end)

  it("choices and whole-number ranges, before any file is read", function()
    one_line("cocoeval --gt a --dt b --iou-type blob", "--iou-type: expected bbox, segm or keypoints, got 'blob'")
    one_line("compare --gold a --vendor b --matcher best", "--matcher: expected optimal or greedy, got 'best'")
    one_line("compare --gold a --vendor b --threads 65", "--threads: expected a whole number from 1 to 64, got '65'")
    one_line("compare --gold a --vendor b --top -1", "--top: expected a whole number >= 0, got '-1'")
    one_line("run --max-steps 0x10 x.lua", "--max-steps: expected a whole number >= 1, got '0x10'")
    one_line("run --max-cpu 1e10 x.lua", "--max-cpu: expected a whole number from 1 to 1000000000, got '1e10'")
  end)

  it("positional arguments are counted from the command's declaration, with its usage", function()
    for args, msg in pairs {
      ["inspect"] = "inspect needs a FILE or DIR",
      ["convert a"] = "convert needs IN and OUT",
      ["convert a b c"] = "unexpected argument 'c'",
      ["cocoeval x"] = "unexpected argument 'x'",
      ["store info x"] = "unexpected argument 'x'",
      ["ingest --store x.db --vendor v --batch b"] = "ingest needs at least one FILE",
      ["run"] = "run needs a SCRIPT.lua",
    } do
      local out, err, code = H.run(args)
      assert.are.equal(2, code, args)
      assert.are.equal("", out, args)
      assert.truthy(err:find("annovet: " .. msg .. "\n", 1, true), args .. ": " .. err)
      assert.truthy(err:find("usage: annovet " .. args:match("^%a+"), 1, true), args .. ": " .. err)
    end
  end)

  it("one list syntax: an empty item is named", function()
    one_line("agree tests/agree/fleiss1971.csv --wide --metric fleiss_kappa --categories a,,b",
      "--categories: name 2 of 'a,,b' is empty (expected names separated by commas)")
    one_line("cocoeval --gt a --dt b --iou-type bbox --img-ids 1,,2",
      "--img-ids: id 2 of '1,,2' is empty (expected ids separated by commas)")
  end)
end)
