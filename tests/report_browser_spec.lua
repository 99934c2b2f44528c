-- The pilot report as a reader sees it: index.html rendered by headless Chromium
-- (Debian's chromium, installed by `make deps`), asserting on the DOM after layout,
-- not only on the HTML text. The report has no script, so the DOM is its content.
local H = require "tests.support.helper"

local function chromium()
  for _, name in ipairs {"chromium", "chromium-browser"} do
    local p = io.popen("command -v " .. name .. " 2>/dev/null")
    local path = p:read("l")
    p:close()
    if path and path ~= "" then return path end
  end
end

local BROWSER = chromium()
local NO_BROWSER = "chromium is not installed (make deps installs the Debian package chromium)"

-- The rendered DOM of a local HTML file.
local function dump_dom(path)
  local p = assert(io.popen(BROWSER .. " --headless=new --no-sandbox --disable-gpu --dump-dom " ..
    H.q("file://" .. path) .. " 2>/dev/null"))
  local dom = p:read("a")
  p:close()
  return dom
end

local function report(pilot_file)
  local dir = H.tmpdir()
  local _, err, code = H.run("pilot " .. H.q(pilot_file) .. " --out " .. H.q(dir .. "/r"))
  assert.are.equal(0, code, err)
  local cwd = io.popen("pwd"):read("l")
  local path = dir .. "/r/index.html"
  if path:sub(1, 1) ~= "/" then path = cwd .. "/" .. path end
  return path
end

describe("the pilot report rendered by Chromium", function()
  if not BROWSER then
    pending(NO_BROWSER)
    return
  end
  local dom
  setup(function() dom = dump_dom(report("examples/pilot/pilot.lua")) end)
  teardown(H.cleanup)

  it("opens with the recommendation", function()
    assert.truthy(dom:find('<section id="recommendation"><h2>Recommendation: budget</h2>', 1, true), dom:sub(1, 2000))
    local first = dom:find("<h2>", 1, true)
    assert.are.equal(dom:find("<h2>Recommendation: budget</h2>", 1, true), first)
  end)

  it("lists the ranking table's rows in rank order", function()
    local tbl = dom:match('<table id="ranking%-table">(.-)</table>')
    assert.truthy(tbl)
    local rows = {}
    for v in tbl:gmatch('<tr data%-vendor="([^"]+)">') do rows[#rows + 1] = v end
    assert.are.same({"budget", "acme", "rapid"}, rows)
    assert.truthy(tbl:find("capped", 1, true))
  end)

  it("draws the per-class F1 chart as SVG with bars for every vendor", function()
    local svg = dom:match('<svg[^>]-id="f1%-chart".-</svg>')
    assert.truthy(svg, "an inline SVG chart")
    for _, v in ipairs {"acme", "budget", "rapid"} do
      local n = select(2, svg:gsub('<rect class="bar%-' .. v .. '"', ""))
      assert.are.equal(5, n, v .. ": one bar per class")
    end
    assert.is_true(select(2, dom:gsub('<svg[^>]-class="heatmap"', "")) == 3, "a heat map per vendor")
  end)

  it("shows vendor-supplied markup as text, never as elements", function()
    local dir = H.tmpdir()
    local coco = [[{"images": [{"id": 1, "file_name": "a.jpg", "width": 100, "height": 100}],
      "annotations": [{"id": 1, "image_id": 1, "category_id": 1, "bbox": [10, 10, 20, 20]}],
      "categories": [{"id": 1, "name": "car"}]}]]
    H.write(dir .. "/gold.json", coco)
    H.write(dir .. "/v.json", coco)
    H.write(dir .. "/q.json", [[{"answers": {"project_manager": {"value": "Eve",
      "note": "<script>document.title='owned'</script><b id=\"injected\">bold</b>"}}}]])
    H.write(dir .. "/pilot.lua", "return {gold = 'gold.json', iou_type = 'bbox', vendors = {{name = 'v', " ..
      "delivery = 'v.json', questionnaire = 'q.json'}}}\n")
    local d = dump_dom(report(dir .. "/pilot.lua"))
    assert.falsy(d:find("<script", 1, true))
    assert.falsy(d:find('<b id="injected"', 1, true))
    assert.falsy(d:find("owned</title>", 1, true))
    assert.truthy(d:find("&lt;script&gt;document.title='owned'&lt;/script&gt;&lt;b id=\"injected\"&gt;bold&lt;/b&gt;",
      1, true))
  end)
end)
