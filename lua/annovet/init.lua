-- The public annovet module: what user scripts see (read-only, through the sandbox)
-- and what commands build on. C does the work; this file only gathers it.
local dataset = require "annovet.dataset"
local json = require "annovet.c.json"
local util = require "annovet.c.util"

local M = {}

local version, commit = util.version()
M.version = version
M.commit = commit

-- JSON: decode(text [, name]) -> value | nil, msg; encode(value [, {pretty=true}]).
M.json = {
  decode = json.decode,
  encode = json.encode,
  array = json.array,
  null = json.null,
}

-- One-to-one matching on a similarity matrix (a table of rows):
-- optimal(sim, threshold) maximises the total similarity of pairs at or above the
-- threshold; greedy(sim, threshold) takes the most similar pairs first. Each returns
-- {gold index or false per row}, number of matches.
local match = require "annovet.c.match"
M.match = {optimal = match.optimal, greedy = match.greedy}

-- Geometry and pycocotools' mask API on tables (host/l_geom.c): box_iou, rbox_iou,
-- oks, polyline_iou, chamfer, cuboid_iou, cer, wer, tags, semantic_iou, encode,
-- decode, merge, area, iou, to_bbox, fr_bbox, fr_poly, fr_objects, to_rle...
M.geom = require "annovet.c.geom"

-- COCO evaluation as pycocotools: cocoeval(gt, results, {iou_type = "bbox"|"segm"|
-- "keypoints", img_ids =, cat_ids =, sigmas =, use_cats =}) -> {stats, per_class,
-- ...} | nil, msg, with gt a dataset and results one loaded from a results file.
M.cocoeval = require("annovet.c.cocoeval").evaluate

-- Datasets: load(path [, {format=, gt=}]) -> ds | nil, msg; ds:save(path, format);
-- ds:counts(), ds:summary(), ds:items(), ds:categories(), ds:annotations{...},
-- ds:filter{...}, ds:select(fn). See README, "Annotation datasets in Lua".
M.load = dataset.load
M.detect = dataset.detect
M.formats = dataset.formats

-- SHA-256 of a string, as hex.
M.sha256 = util.sha256

-- Inter-annotator agreement: annovet.agree.<metric>(data, opts), data(), read_csv().
M.agree = require "annovet.agree"

-- Scoring a vendor against the gold panel: compare(gold, vendor, opts) -> result
-- with per_class, micro, macro, confusion, clusters, annotators and
-- :conflicts() (lua/annovet/compare.lua).
M.compare = require("annovet.compare").compare

-- Pricing (lua/annovet/pricing.lua): pricing.card(path_or_table) -> card;
-- card:cost(ds_or_counts), card:hourly(rows), pricing.count(ds), and exact money
-- (annovet.money: new("12.34", "USD"), minor(1234, "USD"), amount(q, price, cur)).
M.pricing = require "annovet.pricing"
M.money = require "annovet.money"
-- Intervals over resampled gold items and paired verdicts of several compare
-- results: compare_intervals({res, ...}, {resamples, seed, level, names})
-- (lua/annovet/compare.lua, M.bootstrap); res:sizes([bounds]) scores by area.
M.compare_intervals = require("annovet.compare").bootstrap
-- Tamper evidence (host/util/merkle.c, sign.c): RFC 6962 Merkle trees over byte
-- strings -- merkle.root(leaves) -> hex, merkle.leaf_hash(data) -> hex,
-- merkle.path(leaves, m) -> {hex...} (m 0-based), merkle.verify(leaf_hash, m, n,
-- path, root) -> boolean -- and Ed25519 (RFC 8032) with hex keys:
-- ed25519.public_key(seed), sign(seed, msg), verify(public_key, msg, signature).
local crypto = require "annovet.c.crypto"
M.merkle = {root = crypto.merkle_root, leaf_hash = crypto.merkle_leaf_hash, path = crypto.merkle_path,
  verify = crypto.merkle_verify}
M.ed25519 = {public_key = crypto.ed25519_public, sign = crypto.ed25519_sign, verify = crypto.ed25519_verify}

-- CPU seconds, for scripts that report their own timing.
M.clock = util.clock

return M
