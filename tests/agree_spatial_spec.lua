-- annovet agree --from-annotations: several annotators' shapes clustered per
-- item, then the agreement engine on their labels, and alpha with 1 - IoU.
local H = require "tests.support.helper"

local function agree(file, flags)
  local out, err, code = H.run("agree " .. H.q(file) .. " --from-annotations " .. flags)
  assert.are.equal(0, code, flags .. ": " .. err)
  return H.decode(out)
end

describe("agreement over annotations", function()
  after_each(H.cleanup)

  -- Task 1 of the fixture: annotators 2 and 1 each drew a parasites box (IoU
  -- 0.5114401076716031: one cluster) and a white box (apart: two clusters, each
  -- with "(none)" from the other); task 2: annotator 1 alone, two white boxes.
  -- References: fast-krippendorff's alpha (nominal) and sklearn's
  -- cohen_kappa_score on these labels, computed with tools/agree_spatial_ref.py
  -- on the fixture converted to COCO (annovet convert --to coco) and
  --   cohen_kappa_score(["parasites", "white", "(none)"], ["parasites", "(none)", "white"]) = 0.0
  it("rates the rectangles_two_annotators.json fixture", function()
    local path = H.fixture("formats/label_studio/rectangles_two_annotators.json")
    if not path then return pending(H.NO_SHARED) end
    local r = agree(path, "--metric krippendorff_alpha")
    assert.are.same({5, 2, 6}, {r.units, r.raters, r.pairable})
    H.near(r.value, 0.16666666666666674, 1e-9, "alpha, (none) for unmatched")
    r = agree(path, "--metric cohen_kappa")
    H.near(r.value, 0.0, 1e-9, "Cohen's kappa")
    r = agree(path, "--metric percent_agreement")
    H.near(r.value, 1 / 3, 1e-9, "percent agreement")
    -- unmatched as missing: one pairable unit, both 'parasites' (fast-krippendorff
    -- gives NaN): null for its one category (one unit alone would give 0, issue 13)
    r = agree(path, "--metric krippendorff_alpha --unmatched missing")
    assert.are.equal(H.json.null, r.value)
    assert.truthy(r.undefined:find("every pairable value is 'parasites'", 1, true), r.undefined)
    -- alpha with 1 - IoU: one pairable unit (fast-krippendorff's degenerate 0.0);
    -- undefined, as the engine says of one unit
    r = agree(path, "--metric krippendorff_alpha --level iou")
    assert.are.same({"iou", 1, 2}, {r.level, r.units, r.pairable})
    assert.are.equal(H.json.null, r.value)
    assert.truthy(r.undefined:find("one unit", 1, true), r.undefined)
  end)

  -- References from tools/agree_spatial_ref.py (its own clustering with
  -- scipy's linear_sum_assignment; fast-krippendorff for alpha, nominal and
  -- with a callable 1 - IoU distance; statsmodels' fleiss_kappa) on
  --   lua5.4 tools/gen_compare.lua --out DIR --images 30 --objects 150 --seed 5 --crowd 0.02 --vendors "" --panel 3 --boxes
  --   /usr/bin/python3 tools/agree_spatial_ref.py DIR/panel.json --krippendorff /tmp/ref/fast-krippendorff
  it("equals the references on a generated panel of three annotators", function()
    local dir = H.tmpdir()
    assert(os.execute("lua5.4 tools/gen_compare.lua --out " .. H.q(dir) ..
      " --images 30 --objects 150 --seed 5 --crowd 0.02 --vendors '' --panel 3 --boxes"))
    local file = dir .. "/panel.json"
    local r = agree(file, "--iou-type bbox --metric krippendorff_alpha")
    assert.are.same({250, 3}, {r.units, r.raters})
    H.near(r.value, 0.40957974385294715, 1e-9, "alpha with (none)")
    r = agree(file, "--iou-type bbox --metric fleiss_kappa")
    H.near(r.value, 0.4087914658073569, 1e-9, "Fleiss' kappa with (none)")
    r = agree(file, "--iou-type bbox --metric krippendorff_alpha --unmatched missing")
    H.near(r.value, 0.93513362473305, 1e-9, "alpha, unmatched missing")
    r = agree(file, "--iou-type bbox --metric krippendorff_alpha --level iou")
    assert.are.same({125, 326, 3}, {r.units, r.pairable, r.raters})
    H.near(r.value, 0.7301676571638538, 1e-9, "alpha with 1 - IoU")
    -- the same through Lua
    local script = H.script([[
local annovet = require "annovet"
local ds = assert(annovet.load(arg[1]))
local data, info = assert(annovet.agree.from_annotations(ds, {iou_type = "bbox"}))
local a = annovet.agree.krippendorff_alpha(data)
local b = annovet.agree.alpha_iou(ds, {iou_type = "bbox"})
print(string.format("%d %.15f %.15f", info.clusters, a.value, b.value))
]])
    local out, err, code = H.run("run " .. H.q(script) .. " " .. H.q(file))
    assert.are.equal(0, code, err)
    assert.are.equal("250 0.409579743852947 0.730167657163854\n", out)
  end)

  -- Tags are an item's label set, not shapes to match: per item and annotator
  -- the set of tags is one rating. tests/data/agree/tags_delivery.csv (three
  -- annotators, 25 images, rows shuffled, one tag given twice) and
  -- tags_single.csv (one tag each, ann4 skipped three images) were written by
  -- tools/agree_ref.py, which computed the references with nltk's AnnotationTask
  -- (masi_distance, jaccard_distance; per tag, alpha on the binary recoding),
  -- statsmodels' fleiss_kappa and fast-krippendorff (tests/data/agree/expected.lua).
  local REF = dofile("tests/data/agree/expected.lua")

  it("tags with several per annotator: alpha over the sets equals nltk, per tag nltk and statsmodels", function()
    local file, t = "tests/data/agree/tags_delivery.csv", REF.tags_delivery
    local r = agree(file, "--metric krippendorff_alpha --level masi")
    assert.are.same({25, 3, 75}, {r.units, r.raters, r.pairable})
    H.near(r.value, t.alpha_masi, 1e-9, "MASI")
    H.near(agree(file, "--metric krippendorff_alpha --level jaccard").value, t.alpha_jaccard, 1e-9, "Jaccard")
    H.near(agree(file, "--metric krippendorff_alpha --level nominal").value, t.alpha_exact, 1e-9, "exact sets")
    r = agree(file, "--metric krippendorff_alpha --level masi --per-category")
    for l, want in pairs(t.alpha_per_label) do H.near(r.per_category[l], want, 1e-9, "alpha " .. l) end
    r = agree(file, "--metric fleiss_kappa --per-category")
    for l, want in pairs(t.fleiss_per_label) do H.near(r.per_category[l], want, 1e-9, "Fleiss " .. l) end
    -- the same through Lua
    local script = H.script([[
local annovet = require "annovet"
local ds = assert(annovet.load(arg[1]))
local data, info = assert(annovet.agree.from_annotations(ds))
local a = annovet.agree.krippendorff_alpha(data, {level = "masi"})
print(string.format("%s %d %d %.17g", tostring(info.tags), info.units, info.multi_tag, a.value))
]])
    local out, err, code = H.run("run " .. H.q(script) .. " " .. H.q(file))
    assert.are.equal(0, code, err)
    local tags, units, multi, v = out:match("^(%S+) (%d+) (%d+) (%S+)\n$")
    assert.are.same({"true", "25"}, {tags, units})
    assert.is_true(tonumber(multi) > 0)
    H.near(tonumber(v), t.alpha_masi, 1e-9, "Lua")
  end)

  it("tags with several per annotator and a single-label metric: one line naming the item, exit 2", function()
    for _, m in ipairs {"--metric fleiss_kappa", "--metric krippendorff_alpha", "--metric gwet_ac1 --ci 10"} do
      local out, err, code = H.run("agree tests/data/agree/tags_delivery.csv --from-annotations " .. m)
      assert.are.equal(2, code, m)
      assert.are.equal("", out)
      local line = err:match("annovet: (tests/data/agree/tags_delivery%.csv: [^\n]*)\n$")
      assert.truthy(line, err)
      assert.truthy(line:find("^tests/data/agree/tags_delivery%.csv: item 'img%d+%.jpg': annotator 'ann%d' gave %d tags %(.*%): "), line)
      assert.truthy(line:find("use --metric krippendorff_alpha --level masi|jaccard for the tag sets", 1, true), line)
      assert.truthy(line:find("or --per-category for agreement per tag", 1, true), line)
    end
  end)

  it("one tag per annotator: the tag is the rating (statsmodels, nltk, fast-krippendorff)", function()
    local file, t = "tests/data/agree/tags_single.csv", REF.tags_single
    -- by default an annotator rates the images it tagged: ann4's skipped ones are missing
    local r = agree(file, "--metric krippendorff_alpha")
    assert.are.same({30, 4, 117}, {r.units, r.raters, r.pairable})
    H.near(r.value, t.item_alpha, 1e-9, "alpha, skipped images missing")
    -- --raters all: ann4 saw every image and tagged nothing on three: "(none)"
    H.near(agree(file, "--metric krippendorff_alpha --raters all").value, t.all_alpha_nltk, 1e-9, "alpha")
    H.near(agree(file, "--metric fleiss_kappa --raters all").value, t.all_fleiss, 1e-9, "Fleiss")
    H.near(agree(file, "--metric light_kappa --raters all").value, t.all_light_nltk, 1e-9, "Light")
    H.near(agree(file, "--metric percent_agreement --raters all").value, t.all_percent_nltk, 1e-9, "percent")
    -- --unmatched missing leaves them out again
    H.near(agree(file, "--metric krippendorff_alpha --raters all --unmatched missing").value, t.item_alpha, 1e-9,
      "unmatched missing")
    -- single tags as sets: MASI between singletons is the nominal distance
    H.near(agree(file, "--metric krippendorff_alpha --level masi").value, t.item_alpha, 1e-9, "masi = nominal")
  end)

  -- The same generator with polygons, on images of eleven different sizes; masks
  -- only need the same size within an item: across items (chance disagreement)
  -- two masks are compared in a frame holding both, top-left aligned. References
  -- from tools/agree_spatial_ref.py (masks by pycocotools' mask API, IoU counted
  -- with numpy on the decoded pixels, its own clustering, fast-krippendorff):
  --   lua5.4 tools/gen_compare.lua --out DIR --images 30 --objects 150 --seed 5 --crowd 0.02 --vendors "" --panel 3
  --   /usr/bin/python3 tools/agree_spatial_ref.py DIR/panel.json --iou-type segm \
  --     --pycocotools /tmp/ref/cocoapi/PythonAPI --krippendorff /tmp/ref/fast-krippendorff
  it("computes alpha with 1 - IoU on masks of items of different sizes", function()
    local dir = H.tmpdir()
    assert(os.execute("lua5.4 tools/gen_compare.lua --out " .. H.q(dir) ..
      " --images 30 --objects 150 --seed 5 --crowd 0.02 --vendors '' --panel 3"))
    local file = dir .. "/panel.json"
    local r = agree(file, "--iou-type segm --metric krippendorff_alpha --level iou")
    assert.are.same({111, 287, 3}, {r.units, r.pairable, r.raters})
    H.near(r.value, 0.7097578282774819, 1e-9, "alpha with 1 - mask IoU")
    r = agree(file, "--iou-type segm --metric krippendorff_alpha")
    assert.are.equal(275, r.units)
    H.near(r.value, 0.3276213790289678, 1e-9, "alpha of the labels of mask clusters")
    r = agree(file, "--iou-type segm --metric fleiss_kappa")
    H.near(r.value, 0.32680538555691563, 1e-9, "Fleiss' kappa of the labels of mask clusters")
    r = agree(file, "--iou-type segm --metric krippendorff_alpha --unmatched missing")
    H.near(r.value, 0.9483288166214996, 1e-9, "alpha, unmatched missing")
  end)

  it("refuses options that do not fit", function()
    local dir = H.tmpdir()
    local csv = H.write(dir .. "/r.csv", "unit,rater,value\n1,a,x\n1,b,x\n2,a,y\n2,b,x\n")
    local cases = {
      {"agree " .. H.q(csv) .. " --metric cohen_kappa --iou 0.5", "--iou goes with --from-annotations"},
      {"agree " .. H.q(csv) .. " --metric krippendorff_alpha --level iou", "--level iou is krippendorff_alpha over shapes"},
      {"agree examples/pilot/acme.json --from-annotations --metric cohen_kappa --unmatched maybe", "--unmatched: expected none or missing"},
      {"agree examples/pilot/acme.json --from-annotations --metric krippendorff_alpha --level iou --ci 10", "--level iou takes no --ci"},
      {"agree examples/pilot/acme.json --from-annotations --metric cohen_kappa --wide", "--wide is for CSV input"},
      {"agree tests/data/agree/tags_single.csv --from-annotations --metric krippendorff_alpha --level iou",
        "--level iou compares shapes by IoU; tags have none"},
      {"agree tests/data/agree/tags_single.csv --from-annotations --metric fleiss_kappa --iou 0.5", "--iou does not apply to tags"},
    }
    for _, c in ipairs(cases) do
      local _, err, code = H.run(c[1])
      assert.are.equal(2, code, c[1])
      assert.truthy(err:find(c[2], 1, true), c[1] .. ": " .. err)
    end
  end)
end)
