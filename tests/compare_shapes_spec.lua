-- annovet compare on the shapes CVAT carries: rotated boxes, polylines (bands
-- and Chamfer distance) and cuboids, with IoUs worked by hand.
local H = require "tests.helper"

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
    H.q(dir .. "/vendor.xml") .. " " .. flags)
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
end)
