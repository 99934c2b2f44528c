-- annovet compare on the shapes CVAT carries: rotated boxes, polylines (bands
-- and Chamfer distance) and cuboids (in 3D through COCO's cuboid_3d), with IoUs
-- worked by hand.
local H = require "tests.support.helper"

local function cvat(labels, images)
  local l = {}
  for _, name in ipairs(labels) do l[#l + 1] = "<label><name>" .. name .. "</name></label>" end
  local body = {}
  for i, shapes in ipairs(images) do
    body[#body + 1] = string.format('<image id="%d" name="im%d.jpg" width="100" height="100">%s</image>', i - 1, i,
      table.concat(shapes))
  end
  return '<?xml version="1.0"?>\n<annotations>\n<version>1.1</version>\n<meta><task><labels>' ..
    table.concat(l) .. "</labels></task></meta>\n" .. table.concat(body, "\n") .. "\n</annotations>\n"
end

local function compare(gold, vendor, flags)
  local dir = H.tmpdir()
  H.write(dir .. "/gold.xml", gold)
  H.write(dir .. "/vendor.xml", vendor)
  local out, err, code = H.run("compare --gold " .. H.q(dir .. "/gold.xml") .. " --vendor v=" ..
    H.q(dir .. "/vendor.xml") .. " --full " .. flags)
  assert.are.equal(0, code, err)
  return H.decode(out).vendors.v
end

describe("compare on rotated boxes, polylines and cuboids", function()
  after_each(H.cleanup)

  it("scores rotated boxes by exact polygon IoU", function()
    -- im1: the same 20x10 box turned 45 degrees on both sides (IoU 1); im2: a
    -- 20x10 box against the same box turned 90 degrees about its centre: they
    -- share a 10x10 square, IoU 100 / 300
    local gold = cvat({"car"}, {
      {'<box label="car" xtl="10" ytl="10" xbr="30" ybr="20" rotation="45" occluded="0"/>'},
      {'<box label="car" xtl="40" ytl="40" xbr="60" ybr="50" occluded="0"/>'},
    })
    local vendor = cvat({"car"}, {
      {'<box label="car" xtl="10" ytl="10" xbr="30" ybr="20" rotation="45" occluded="0"/>'},
      {'<box label="car" xtl="40" ytl="40" xbr="60" ybr="50" rotation="90" occluded="0"/>'},
    })
    local r = compare(gold, vendor, "--iou-type rbox")
    assert.are.same({1, 1, 1}, {r.micro.tp, r.micro.fp, r.micro.fn})
    H.near(r.micro.mean_iou, 1, 1e-12, "same rotated box")
    assert.are.equal("low_overlap", r.conflicts[1].kind)
    H.near(r.conflicts[1].iou, 1 / 3, 1e-12, "box against its quarter turn")
  end)

  it("scores lanes as bands, or by Chamfer distance", function()
    -- a horizontal lane at y = 50 and the vendor's at y = 52, across the
    -- 100-pixel image: 10-pixel bands cover rows 45..54 and 47..56 of every
    -- column, IoU 800 / 1200; every point of each line is 2 px from the other
    local gold = cvat({"lane"}, {{'<polyline label="lane" points="0,50;100,50" occluded="0"/>'}})
    local vendor = cvat({"lane"}, {{'<polyline label="lane" points="0,52;100,52" occluded="0"/>'}})
    local r = compare(gold, vendor, "--iou-type polyline")
    assert.are.equal(1, r.micro.tp)
    H.near(r.micro.mean_iou, 2 / 3, 1e-12, "band IoU")
    r = compare(gold, vendor, "--iou-type polyline --line-width 2")
    -- 2-pixel bands: rows 49..50 and 51..52 do not meet
    assert.are.same({0, 1, 1}, {r.micro.tp, r.micro.fp, r.micro.fn})
    r = compare(gold, vendor, "--iou-type polyline --chamfer 3")
    assert.are.equal(1, r.micro.tp)
    assert.are.equal("chamfer distance", r.similarity)
    H.near(r.micro.mean_distance, 2, 1e-12, "Chamfer distance")
    assert.are.equal(H.json.null, r.micro.mean_iou)
    r = compare(gold, vendor, "--iou-type polyline --chamfer 1.5")
    -- beyond 1.5 px but within twice that: low overlap, with its distance
    assert.are.same({"low_overlap", 2}, {r.conflicts[1].kind, r.conflicts[1].distance})
  end)

  it("scores cuboids by the IoU of their projected hulls", function()
    local function cuboid(x0, x1)
      return string.format('<cuboid label="box" occluded="0" xtl1="%d" ytl1="10" xbl1="%d" ybl1="30" xtr1="%d" ' ..
        'ytr1="10" xbr1="%d" ybr1="30" xtl2="%d" ytl2="10" xbl2="%d" ybl2="30" xtr2="%d" ytr2="10" xbr2="%d" ybr2="30"/>',
        x0, x0, x1, x1, x0, x0, x1, x1)
    end
    -- hulls [10, 30] x [10, 30] and [15, 35] x [10, 30]: IoU 300 / 500
    local r = compare(cvat({"box"}, {{cuboid(10, 30)}}), cvat({"box"}, {{cuboid(15, 35)}}), "--iou-type cuboid")
    assert.are.equal(1, r.micro.tp)
    H.near(r.micro.mean_iou, 0.6, 1e-12, "hull IoU")
  end)

  -- COCO with annovet's "cuboid" (8 projected corners) and "cuboid_3d" (cx cy cz
  -- l w h yaw). The projected corners are the same on both sides (hull IoU 1),
  -- so only the 3D boxes tell the pairs apart. Worked by hand:
  --   a: 4 x 2 x 2 boxes at (0, 0, 0) and (1, 0, 0.5), yaw 0: footprints overlap
  --      3 x 2 = 6, heights 1.5, so 9 of 16 + 16 - 9 = 23: IoU 9/23;
  --   b: 2 x 2 x 2 cubes at the origin, yaw 0 and pi/4: the footprints meet in a
  --      regular octagon of apothem 1, area 8 tan(pi/8) = 8 (sqrt 2 - 1); times
  --      the full height 2 it is 16 (sqrt 2 - 1) of 8 + 8 - 16 (sqrt 2 - 1) =
  --      16 (2 - sqrt 2): IoU (sqrt 2 - 1) / (2 - sqrt 2) = 1 / sqrt 2;
  --   c: the vendor gives no 3D: the hulls' IoU, 1.
  it("scores cuboids by 3D IoU where both sides give 3D (COCO's cuboid_3d)", function()
    local corners = {10, 10, 10, 30, 30, 10, 30, 30, 15, 5, 15, 25, 35, 5, 35, 25}
    local function ann(id, cat, c3d)
      return {id = id, image_id = id, category_id = cat, cuboid = corners, cuboid_3d = c3d, iscrowd = 0}
    end
    local images, cats = {}, {{id = 1, name = "a"}, {id = 2, name = "b"}, {id = 3, name = "c"}}
    for i = 1, 3 do images[i] = {id = i, file_name = "im" .. i .. ".jpg", width = 100, height = 100} end
    local gold = {images = images, categories = cats, annotations = {
      ann(1, 1, {0, 0, 0, 4, 2, 2, 0}), ann(2, 2, {0, 0, 0, 2, 2, 2, 0}), ann(3, 3, {0, 0, 0, 2, 2, 2, 0})}}
    local vendor = {images = images, categories = cats, annotations = {
      ann(1, 1, {1, 0, 0.5, 4, 2, 2, 0}), ann(2, 2, {0, 0, 0, 2, 2, 2, math.pi / 4}), ann(3, 3, nil)}}
    local dir = H.tmpdir()
    H.write(dir .. "/gold.json", H.json.encode(gold))
    H.write(dir .. "/vendor.json", H.json.encode(vendor))
    local out, err, code = H.run("compare --gold " .. H.q(dir .. "/gold.json") .. " --vendor v=" ..
      H.q(dir .. "/vendor.json") .. " --iou-type cuboid --iou 0.3")
    assert.are.equal(0, code, err)
    local r = H.decode(out).vendors.v
    assert.are.same({3, 0, 0}, {r.micro.tp, r.micro.fp, r.micro.fn})
    H.near(r.per_class.a.mean_iou, 9 / 23, 1e-12, "3D IoU, yaw 0")
    H.near(r.per_class.b.mean_iou, 1 / math.sqrt(2), 1e-12, "3D IoU, turned by pi/4")
    H.near(r.per_class.c.mean_iou, 1, 1e-12, "hull IoU without 3D")
    -- the cuboids survive COCO -> annovet -> COCO, and the boxes written are the corners'
    _, err, code = H.run("convert " .. H.q(dir .. "/gold.json") .. " " .. H.q(dir .. "/copy.json") .. " --to coco")
    assert.are.equal(0, code, err)
    local copy = H.decode(H.slurp(dir .. "/copy.json"))
    for i, a in ipairs(copy.annotations) do
      assert.are.same(corners, a.cuboid)
      assert.are.same(gold.annotations[i].cuboid_3d, a.cuboid_3d)
      assert.are.same({10, 5, 25, 25}, a.bbox)
    end
    -- bad cuboids stop the reader with the JSON path
    for _, c in ipairs {
      {{cuboid = {1, 2, 3}}, "annotations[0].cuboid: expected 16 numbers (8 corners x y), got 3"},
      {{cuboid = corners, cuboid_3d = {0, 0, 0, 1, -1, 1, 0}}, "annotations[0].cuboid_3d: l, w and h must not be negative"},
      {{cuboid_3d = {0, 0, 0, 1, 1, 1, 0}, bbox = {0, 0, 1, 1}}, "annotations[0].cuboid_3d: needs \"cuboid\""},
      {{cuboid = corners, keypoints = {1, 1, 2}}, "annotations[0].cuboid: a cuboid annotation has no segmentation or keypoints"},
    } do
      local a = c[1]
      a.id, a.image_id, a.category_id = 1, 1, 1
      local bad = H.write(dir .. "/bad.json", H.json.encode({images = images, categories = cats, annotations = {a}}))
      out, err, code = H.run("inspect " .. H.q(bad))
      assert.are.equal(2, code, err)
      assert.truthy(err:find(c[2], 1, true), err)
    end
  end)

  it("writes CVAT cuboids into COCO as annovet's cuboid extension", function()
    local dir = H.tmpdir()
    local xml = cvat({"box"}, {{'<cuboid label="box" occluded="0" xtl1="10" ytl1="10" xbl1="10" ybl1="30" xtr1="30" ' ..
      'ytr1="10" xbr1="30" ybr1="30" xtl2="15" ytl2="5" xbl2="15" ybl2="25" xtr2="35" ytr2="5" xbr2="35" ybr2="25"/>'}})
    H.write(dir .. "/a.xml", xml)
    local _, err, code = H.run("convert " .. H.q(dir .. "/a.xml") .. " " .. H.q(dir .. "/a.json") .. " --to coco")
    assert.are.equal(0, code, err)
    assert.falsy(err:find("dropped", 1, true), err)
    local a = H.decode(H.slurp(dir .. "/a.json")).annotations[1]
    assert.are.same({10, 10, 10, 30, 30, 10, 30, 30, 15, 5, 15, 25, 35, 5, 35, 25}, a.cuboid)
    assert.are.same({10, 5, 25, 25}, a.bbox)
    assert.are.equal(625, a.area)
  end)
end)
