-- Every reader on annovet's own small fixtures (tests/data/fixtures/, described
-- in its README.md), so that a clone without ../shared still tests each format.
-- The expected values are read off the fixtures' text (worked out in the
-- comments), not taken from annovet.
local H = require "tests.support.helper"
local F = require "tests.support.fmt"

local function fixture(rel) return H.datafile("fixtures/" .. rel) end

describe("own fixtures", function()
  teardown(H.cleanup)

  -- coco/instances.json: 2 images of 64x48, categories 1 car, 2 person,
  -- 5 bicycle; a rectangle polygon of car, a triangle of person, a crowd RLE of
  -- bicycle over the top-left 16x16 square of image 2.
  it("COCO instances: polygons, a crowd RLE and non-contiguous category ids", function()
    local path = fixture("coco/instances.json")
    local s = F.inspect(path)
    assert.are.equal("coco", s.format)
    assert.are.same({2, 3, 3}, {s.items, s.annotations, s.categories})
    assert.are.same({polygon = 2, mask = 1}, s.by_type)
    assert.are.same({car = 1, person = 1, bicycle = 1}, s.by_class)
    local d = F.dump(path)
    assert.are.same({"street/001.jpg", 64, 48}, {d.items[1].file, d.items[1].width, d.items[1].height})
    local car = d.items[1].anns[1]
    assert.are.same({"car", 1}, {car.category, car.category_id})
    assert.are.same({10, 12, 30, 12, 30, 20, 10, 20}, car.coords)
    assert.are.same({10, 12, 20, 8}, car.bbox)
    local crowd = d.items[2].anns[1]
    assert.are.same({"bicycle", 5, true, "mask"}, {crowd.category, crowd.category_id, crowd.iscrowd, crowd.type})
    assert.are.same({0, 0, 16, 16}, crowd.bbox)
    assert.are.equal(256, crowd.area)
    -- the counts as the file lists them: 16 columns of 16 ones under 32 zeros
    local counts = {0}
    for x = 1, 16 do
      counts[#counts + 1] = 16
      counts[#counts + 1] = x < 16 and 32 or 32 + 48 * 48
    end
    assert.are.same(counts, crowd.rle)
  end)

  -- coco/person_keypoints.json: keypoints head (10, 5) and left_hand (6, 15)
  -- labelled, right_hand not; a 1-based skeleton.
  it("COCO keypoints: names, skeleton and the labelled points", function()
    local path = fixture("coco/person_keypoints.json")
    local s = F.inspect(path)
    assert.are.same({1, 1, 1}, {s.items, s.annotations, s.categories})
    assert.are.same({keypoints = 1}, s.by_type)
    local d = F.dump(path)
    assert.are.same({"head", "left_hand", "right_hand"}, d.categories[1].keypoints)
    assert.are.same({{1, 2}, {1, 3}}, d.categories[1].skeleton)
    local a = d.items[1].anns[1]
    assert.are.same({10, 5, 2, 6, 15, 2, 0, 0, 0}, a.coords)
    assert.are.equal(2, a.num_keypoints)
    assert.are.same({"pose/007.png", 32, 40}, {d.items[1].file, d.items[1].width, d.items[1].height})
  end)

  -- coco/results.json: three boxes with scores on images 1 and 2 of instances.json.
  it("COCO results, named by their ground truth", function()
    local s = F.inspect(fixture("coco/results.json"), " --gt " .. H.q(fixture("coco/instances.json")))
    assert.are.equal("coco-results", s.format)
    assert.are.same({2, 3}, {s.items, s.annotations})
    assert.are.same({box = 3}, s.by_type)
    assert.are.same({car = 1, person = 1, bicycle = 1}, s.by_class)
  end)

  -- voc/: two annotation files and datumaro's labelmap (background, car,
  -- person); street_001 has a difficult car at xmin 10 ymin 12 xmax 30 ymax 20
  -- and a truncated person from xmin 40.5.
  it("Pascal VOC: a folder of annotations with a label map", function()
    local dir = fixture("voc")
    local s = F.inspect(dir)
    assert.are.equal("voc", s.format)
    assert.are.same({2, 3, 3}, {s.items, s.annotations, s.categories})
    assert.are.same({car = 2, person = 1}, s.by_class)
    local d = F.dump(dir)
    local it = d.items[1]
    assert.are.same({"street_001.jpg", 64, 48}, {it.file, it.width, it.height})
    assert.are.same({"car", {10, 12, 20, 8}}, {it.anns[1].category, it.anns[1].bbox})
    assert.is_true(it.anns[1].attributes.difficult)
    assert.are.equal("Left", it.anns[1].attributes.pose)
    assert.are.same({40.5, 5, 5.5, 18}, it.anns[2].bbox)
    assert.is_true(it.anns[2].attributes.truncated)
    assert.is_true(d.items[2].anns[1].attributes.occluded)
  end)

  -- yolo_darknet/: obj.data, obj.names (car, person), train.txt naming
  -- obj_train_data/street_001.png (64x48, tests/data/fixtures/make_png.lua);
  -- "1 0.671875 0.3125 0.09375 0.375" is a person box at x 40 y 6, 6 x 18.
  it("YOLO, Darknet layout", function()
    local dir = fixture("yolo_darknet")
    local s = F.inspect(dir)
    assert.are.equal("yolo", s.format)
    assert.are.same({1, 2, 2}, {s.items, s.annotations, s.categories})
    local d = F.dump(dir)
    local it = d.items[1]
    assert.are.same({"obj_train_data/street_001.png", 64, 48, "train"}, {it.file, it.width, it.height, it.subset})
    assert.are.equal("car", it.anns[1].category)
    F.near(it.anns[1].bbox, {10, 12, 20, 8}, 1e-5, "car (six decimals in the file)")
    assert.are.same({"person", 1, {40, 6, 6, 18}}, {it.anns[2].category, it.anns[2].category_id, it.anns[2].bbox})
  end)

  -- yolo_ultralytics/: data.yaml (names [car, person]), labels/val/street_002.txt
  -- "0 0.25 0.75 0.3125 0.291667" on the 64x48 images/val/street_002.png.
  it("YOLO, Ultralytics layout", function()
    local dir = fixture("yolo_ultralytics")
    local s = F.inspect(dir)
    assert.are.equal("yolo", s.format)
    assert.are.same({1, 1, 2}, {s.items, s.annotations, s.categories})
    local d = F.dump(dir)
    local it = d.items[1]
    assert.are.same({"images/val/street_002.png", 64, 48, "val"}, {it.file, it.width, it.height, it.subset})
    assert.are.equal("car", it.anns[1].category)
    F.near(it.anns[1].bbox, {6, 29, 20, 14}, 1e-4, "car")
  end)

  -- cvat/annotations.xml: an images export; a box xtl 10 ytl 12 xbr 30 ybr 20
  -- with color blue, an occluded polygon, a box with color red, one point.
  it("CVAT for images XML", function()
    local path = fixture("cvat/annotations.xml")
    local s = F.inspect(path)
    assert.are.equal("cvat", s.format)
    assert.are.same({2, 4, 2}, {s.items, s.annotations, s.categories})
    assert.are.same({box = 2, polygon = 1, keypoints = 1}, s.by_type)
    local d = F.dump(path)
    local a = d.items[1].anns
    assert.are.same({"car", {10, 12, 20, 8}, "blue"}, {a[1].category, a[1].bbox, a[1].attributes.color})
    assert.are.same({40, 5, 46, 5, 46, 23}, a[2].coords)
    assert.is_true(a[2].attributes.occluded)
    assert.are.equal("red", d.items[2].anns[1].attributes.color)
    assert.are.same({12.5, 7.25}, {d.items[2].anns[2].coords[1], d.items[2].anns[2].coords[2]})
  end)

  -- label_studio/tasks.json: one task, annotators 1 and 2; percentages of a
  -- 64x48 image: x 15.625 % = 10 px, y 25 % = 12, width 31.25 % = 20, height 50 % = 24.
  it("Label Studio JSON: two annotators, a rectangle each and a polygon", function()
    local path = fixture("label_studio/tasks.json")
    local s = F.inspect(path)
    assert.are.equal("labelstudio", s.format)
    assert.are.same({1, 3, 2}, {s.items, s.annotations, s.annotators})
    assert.are.same({["1"] = 1, ["2"] = 2}, s.by_annotator)
    local d = F.dump(path)
    local it = d.items[1]
    assert.are.same({64, 48}, {it.width, it.height})
    assert.are.same({"car", "1", {10, 12, 20, 24}}, {it.anns[1].category, it.anns[1].annotator, it.anns[1].bbox})
    assert.are.same({8, 12, 24, 24}, it.anns[2].bbox)
    assert.are.same({"person", {40, 6, 46, 6, 46, 24}}, {it.anns[3].category, it.anns[3].coords})
  end)

  -- csv/tags.csv: six tags by alice and bob on two images, one label quoted
  -- because it holds a comma.
  it("CSV tags in long form", function()
    local path = fixture("csv/tags.csv")
    local s = F.inspect(path)
    assert.are.equal("csv", s.format)
    assert.are.same({2, 6, 4}, {s.items, s.annotations, s.categories})
    assert.are.same({car = 2, person = 1, bicycle = 2, ["car, parked"] = 1}, s.by_class)
    assert.are.same({alice = 3, bob = 3}, s.by_annotator)
    local d = F.dump(path)
    assert.are.same({"street_002.jpg", "bob", "car, parked"},
      {d.items[2].file, d.items[2].anns[3].annotator, d.items[2].anns[3].category})
  end)

  -- pngmask/: classes.txt (background, road, sky) and the 6x4 label image
  -- masks/scene.png of tests/data/fixtures/make_png.lua: sky 10 pixels in the
  -- two top rows, road 9 in the two bottom ones.
  it("PNG label images with a class list", function()
    local dir = fixture("pngmask")
    local s = F.inspect(dir)
    assert.are.equal("pngmask", s.format)
    assert.are.same({1, 2, 2}, {s.items, s.annotations, s.categories})
    assert.are.same({road = 1, sky = 1}, s.by_class)
    local d = F.dump(dir)
    local it = d.items[1]
    assert.are.same({"scene.png", 6, 4}, {it.file, it.width, it.height})
    local rows = {{2, 2, 2, 2, 2, 2}, {2, 2, 0, 0, 2, 2}, {1, 1, 1, 0, 0, 0}, {1, 1, 1, 1, 1, 1}}
    assert.are.same({"road", 9, {0, 2, 6, 2}}, {it.anns[1].category, it.anns[1].area, it.anns[1].bbox})
    assert.are.same(F.rle_of(rows, 1), it.anns[1].rle)
    assert.are.same({2, 2, 2, 2, 2, 2, 3, 1, 3, 1, 3, 1}, it.anns[1].rle)
    assert.are.same({"sky", 10, {0, 0, 6, 2}}, {it.anns[2].category, it.anns[2].area, it.anns[2].bbox})
    assert.are.same(F.rle_of(rows, 2), it.anns[2].rle)
  end)
end)
