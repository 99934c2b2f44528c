-- annovet agree against the references, to 1e-9: published worked examples and the
-- tools users trust. tests/data/agree/expected.lua comes from sklearn, statsmodels, nltk
-- and fast-krippendorff (tools/agree_ref.py), tests/data/agree/expected_irrcac.lua from
-- irrCAC 1.0 (tools/agree_ref.R); each file names its command. The data sets in
-- tests/data/agree/ are the seeded ones those scripts wrote.
local H = require "tests.support.helper"

local REF = dofile("tests/data/agree/expected.lua")
local IRR = dofile("tests/data/agree/expected_irrcac.lua")
local DIR = "tests/data/agree/"

local function agree(args)
  local out, err, code = H.run(args)
  assert.are.equal(0, code, err)
  return H.decode(out)
end

local function check(file, args, want, what)
  local r = agree("agree " .. H.q(DIR .. file) .. " " .. args)
  H.near(r.value, type(want) == "table" and want.value or want, 1e-9, what .. " value")
  if type(want) == "table" and want.se then H.near(r.se, want.se, 1e-9, what .. " se") end
  return r
end

describe("agree: Krippendorff (2011) worked example, 4 observers x 12 units", function()
  -- Published: nominal .743, ordinal .815, interval .849, ratio .797 (Krippendorff
  -- 2011, "Computing Krippendorff's Alpha-Reliability"); exact values from
  -- fast-krippendorff on the same matrix.
  local published = {nominal = 0.743, ordinal = 0.815, interval = 0.849, ratio = 0.797}
  for level, p in pairs(published) do
    it(level .. " alpha", function()
      local r = check("kripp2011.csv", "--wide --metric krippendorff_alpha --level " .. level,
        REF.kripp2011["alpha_" .. level], level)
      H.near(r.value, p, 5e-4, "published " .. level)
      assert.are.equal(12, r.units)
      assert.are.equal(4, r.raters)
      assert.are.equal(40, r.pairable)
      assert.are.equal(level, r.level)
    end)
  end

  it("alpha's standard error is irrCAC's (Gwet) at the nominal, interval and ratio levels", function()
    check("kripp2011.csv", "--wide --metric krippendorff_alpha", IRR.kripp2011.krippendorff_alpha, "nominal")
    check("kripp2011.csv", "--wide --metric krippendorff_alpha --level interval",
      IRR.kripp2011.krippendorff_alpha_interval, "interval")
    check("kripp2011.csv", "--wide --metric krippendorff_alpha --level ratio",
      IRR.kripp2011.krippendorff_alpha_ratio, "ratio")
  end)

  -- irrCAC documents its raw-data functions on this very data set (cac.raw4raters):
  -- AC1 0.77544 (se 0.14295), Fleiss 0.76117 (se 0.15302).
  it("AC1, AC2, Fleiss, Brennan-Prediger and percent agreement equal irrCAC, with SEs", function()
    local k = IRR.kripp2011
    local r = check("kripp2011.csv", "--wide --metric gwet_ac1", k.gwet_ac1, "AC1")
    H.near(r.value, 0.77544, 5e-6, "irrCAC documentation AC1")
    check("kripp2011.csv", "--wide --metric gwet_ac1 --weights linear", k.gwet_ac1_linear, "AC2 linear")
    check("kripp2011.csv", "--wide --metric gwet_ac1 --weights quadratic", k.gwet_ac1_quadratic, "AC2 quadratic")
    r = check("kripp2011.csv", "--wide --metric fleiss_kappa", k.fleiss_kappa, "Fleiss")
    H.near(r.value, 0.76117, 5e-6, "irrCAC documentation Fleiss")
    check("kripp2011.csv", "--wide --metric fleiss_kappa --weights quadratic", k.fleiss_kappa_quadratic, "Fleiss quadratic")
    check("kripp2011.csv", "--wide --metric brennan_prediger", k.brennan_prediger, "BP")
    check("kripp2011.csv", "--wide --metric brennan_prediger --weights quadratic", k.brennan_prediger_quadratic, "BP quadratic")
    check("kripp2011.csv", "--wide --metric percent_agreement", k.percent_agreement, "percent")
  end)

  it("--categories counts an unused category in chance agreement (irrCAC categ.labels)", function()
    local k = IRR.kripp2011_cats
    local cats = "--categories 1,2,3,4,5,6"
    check("kripp2011.csv", "--wide --metric gwet_ac1 " .. cats, k.gwet_ac1, "AC1")
    check("kripp2011.csv", "--wide --metric brennan_prediger " .. cats, k.brennan_prediger, "BP")
    check("kripp2011.csv", "--wide --metric gwet_ac1 --weights quadratic " .. cats, k.gwet_ac1_quadratic, "AC2")
    -- alpha ignores categories nobody used
    check("kripp2011.csv", "--wide --metric krippendorff_alpha --level ordinal " .. cats,
      REF.kripp2011.alpha_ordinal, "ordinal")
  end)
end)

describe("agree: Fleiss (1971), 30 patients x 6 psychiatrists", function()
  it("equals statsmodels' fleiss_kappa (Fleiss reports 0.430) and irrCAC's SE", function()
    local r = check("fleiss1971.csv", "--wide --metric fleiss_kappa", REF.fleiss1971.fleiss, "kappa")
    H.near(r.value, 0.430, 5e-4, "published")
    check("fleiss1971.csv", "--wide --metric fleiss_kappa", IRR.fleiss1971.fleiss_kappa, "irrCAC")
    check("fleiss1971.csv", "--wide --metric gwet_ac1", IRR.fleiss1971.gwet_ac1, "AC1")
  end)

  -- Fleiss' kappa for the individual categories (his eq. 21: the category
  -- against the rest). Exact: statsmodels' fleiss_kappa and irrCAC's
  -- fleiss.kappa.raw on the binary recoding. At three decimals these are .245,
  -- .245, .520, .471, .566 (what R's irr prints, kappam.fleiss(detail = TRUE)).
  -- Fleiss' Table 2 prints .248, .248, .517, .470, .565 (quoted so, with the
  -- remark that the paper rounds p_j, by the tests of an R package's
  -- reliability_kappa_fleiss): his hand arithmetic at three decimals, which the
  -- test redoes from our exact values: p_j = n_j / Nm rounded, P_j = (sum_i
  -- x_ij^2 - Nm p_j) / (Nm(m-1) p_j) rounded, kappa_j = (P_j - p_j) / (1 - p_j).
  it("category-specific kappas: statsmodels and irrCAC exactly, Fleiss' Table 2 by his arithmetic", function()
    local r = agree("agree " .. H.q(DIR .. "fleiss1971.csv") .. " --wide --metric fleiss_kappa --per-category")
    local names = {"1", "2", "3", "4", "5"}   -- depression, personality disorder, schizophrenia, neurosis, other
    local irr3 = {"0.245", "0.245", "0.520", "0.471", "0.566"}
    local table2 = {"0.248", "0.248", "0.517", "0.470", "0.565"}
    local n_j = {26, 26, 30, 55, 43}   -- Fleiss' column totals, N = 30 patients, m = 6 psychiatrists
    local N, m = 30, 6
    local function round3(x) return math.floor(x * 1000 + 0.5) / 1000 end
    for j, c in ipairs(names) do
      local k = r.per_category[c]
      H.near(k, REF.fleiss1971.fleiss_per_category[c], 1e-9, c .. " statsmodels")
      H.near(k, IRR.fleiss1971_per_category[c].fleiss_kappa, 1e-9, c .. " irrCAC")
      assert.are.equal(irr3[j], string.format("%.3f", k), c)
      local p = n_j[j] / (N * m)
      local sumsq = (k * (1 - p) + p) * N * m * (m - 1) * p + N * m * p   -- sum_i x_ij^2 from kappa_j
      H.near(sumsq, math.floor(sumsq + 0.5), 1e-9, c .. " sum of squares is a whole number")
      local p3 = round3(p)
      local P3 = round3((sumsq - N * m * p3) / (N * m * (m - 1) * p3))
      assert.are.equal(table2[j], string.format("%.3f", (P3 - p3) / (1 - p3)), c .. " Fleiss' Table 2")
    end
  end)
end)

describe("agree: per category is the coefficient on the binary recoding", function()
  -- References on the data recoded 1 for the category, 0 for any other value
  -- (missing stays missing): irrCAC (tools/agree_ref.R: pa.coeff.raw,
  -- gwet.ac1.raw, bp.coeff.raw, fleiss.kappa.raw with categ.labels 0:1;
  -- scott2.table), nltk (tools/agree_ref.py: AnnotationTask pi, kappa, avg_Ao),
  -- statsmodels (fleiss_kappa method "randolph": Brennan-Prediger), sklearn
  -- (Cohen's kappa per pair of raters on the units both rated, averaged: Light),
  -- and Gwet's AC1 written out in tools/agree_ref.py (gwet_ac1_complete).
  local function per_category(file, args)
    return agree("agree " .. H.q(DIR .. file) .. " --wide --per-category " .. args).per_category
  end

  it("AC1, Brennan-Prediger, percent agreement and Fleiss equal irrCAC, with and without missing values", function()
    for _, set in ipairs {{"panel.csv", "panel"}, {"sparse.csv", "sparse"}, {"kripp2011.csv", "kripp2011"},
                          {"fleiss1971.csv", "fleiss1971"}} do
      local want = IRR[set[2] .. "_per_category"]
      for _, metric in ipairs {"gwet_ac1", "brennan_prediger", "percent_agreement", "fleiss_kappa"} do
        local got = per_category(set[1], "--metric " .. metric)
        for c, w in pairs(want) do H.near(got[c], w[metric], 1e-9, set[2] .. " " .. metric .. " " .. c) end
      end
    end
  end)

  it("AC1 equals Gwet's formula, Brennan-Prediger statsmodels, Light's kappa and percent agreement nltk", function()
    local p = REF.panel
    local ac1 = per_category("panel.csv", "--metric gwet_ac1")
    local bp = per_category("panel.csv", "--metric brennan_prediger")
    local light = per_category("panel.csv", "--metric light_kappa")
    local pa = per_category("panel.csv", "--metric percent_agreement")
    for _, c in ipairs {"x", "y", "z"} do
      H.near(ac1[c], p.gwet_ac1_per_category[c], 1e-9, "AC1 " .. c)
      H.near(bp[c], p.brennan_prediger_per_category[c], 1e-9, "BP " .. c)
      H.near(light[c], p.light_per_category_nltk[c], 1e-9, "Light " .. c)
      H.near(pa[c], p.percent_per_category_nltk[c], 1e-9, "percent " .. c)
    end
  end)

  it("Light's kappa with missing values equals sklearn pair by pair", function()
    local light = per_category("sparse.csv", "--metric light_kappa")
    for c, want in pairs(REF.sparse.light_per_category) do H.near(light[c], want, 1e-9, c) end
  end)

  it("Scott's pi equals nltk and irrCAC's scott2.table; percent agreement nltk (two raters)", function()
    local pi = per_category("pairs.csv", "--metric scott_pi")
    local pa = per_category("pairs.csv", "--metric percent_agreement")
    for _, c in ipairs {"a", "b", "c", "d"} do
      H.near(pi[c], REF.pairs.scott_per_category_nltk[c], 1e-9, "nltk " .. c)
      H.near(pi[c], IRR.pairs_per_category[c].scott_pi, 1e-9, "irrCAC " .. c)
      H.near(pa[c], REF.pairs.percent_per_category_nltk[c], 1e-9, "percent " .. c)
    end
  end)
end)

describe("agree: Cohen's kappa", function()
  it("SAS example (statsmodels TestUnweightedCohens): 0.4842, se 0.1380; linear 0.4701, se 0.1457", function()
    local r = check("sas_table10.csv", "--metric cohen_kappa", {value = REF.sas.cohen, se = REF.sas.cohen_se}, "kappa")
    H.near(r.value, 0.4842, 5e-5, "SAS kappa")
    H.near(r.se, 0.1380, 5e-5, "SAS se")
    r = check("sas_table10.csv", "--metric cohen_kappa --weights linear",
      {value = REF.sas.cohen_linear, se = REF.sas.cohen_linear_se}, "linear")
    H.near(r.value, 0.4701, 5e-5, "SAS weighted kappa")
    assert.are.equal("linear", r.weights)
  end)

  it("random pairs: sklearn's cohen_kappa_score (none, linear, quadratic), statsmodels' SE", function()
    local p = REF.pairs
    check("pairs.csv", "--wide --metric cohen_kappa", {value = p.cohen, se = p.cohen_se}, "none")
    check("pairs.csv", "--wide --metric cohen_kappa --weights linear", {value = p.cohen_linear, se = p.cohen_linear_se}, "linear")
    check("pairs.csv", "--wide --metric cohen_kappa --weights quadratic",
      {value = p.cohen_quadratic, se = p.cohen_quadratic_se}, "quadratic")
  end)

  it("per category equals sklearn on the one-against-the-rest recoding", function()
    local r = agree("agree " .. H.q(DIR .. "pairs.csv") .. " --wide --metric cohen_kappa --per-category")
    for c, want in pairs(REF.pairs.cohen_per_category) do H.near(r.per_category[c], want, 1e-9, c) end
  end)

  it("Scott's pi equals nltk's pi, with irrCAC's scott2.table SE; alpha and percent agreement equal nltk", function()
    local p = REF.pairs
    check("pairs.csv", "--wide --metric scott_pi", {value = p.scott_nltk, se = IRR.pairs.scott_pi.se}, "pi")
    check("pairs.csv", "--wide --metric scott_pi --weights quadratic", IRR.pairs.scott_pi_quadratic, "pi quadratic")
    check("pairs.csv", "--wide --metric krippendorff_alpha", p.alpha_nltk, "alpha")
    check("pairs.csv", "--wide --metric percent_agreement", p.percent_nltk, "percent")
  end)
end)

describe("agree: a complete panel, 5 raters x 40 units", function()
  it("Fleiss and Brennan-Prediger equal statsmodels; Light's kappa, alpha, percent agreement equal nltk", function()
    local p = REF.panel
    check("panel.csv", "--wide --metric fleiss_kappa", p.fleiss, "fleiss")
    check("panel.csv", "--wide --metric fleiss_kappa", p.fleiss_nltk_multi_pi, "nltk multi-pi")
    check("panel.csv", "--wide --metric brennan_prediger", p.brennan_prediger, "randolph")
    check("panel.csv", "--wide --metric light_kappa", p.light_nltk, "light")
    check("panel.csv", "--wide --metric krippendorff_alpha", p.alpha_nltk, "alpha")
    check("panel.csv", "--wide --metric percent_agreement", p.percent_nltk, "percent")
  end)

  it("per-category Fleiss equals statsmodels on the binary recoding", function()
    local r = agree("agree " .. H.q(DIR .. "panel.csv") .. " --wide --metric fleiss_kappa --per-category")
    for c, want in pairs(REF.panel.fleiss_per_category) do H.near(r.per_category[c], want, 1e-9, c) end
  end)

  it("irrCAC: every coefficient and standard error", function()
    for name, want in pairs(IRR.panel) do
      local metric, weights = name:match("^(.-)_(quadratic)$")
      metric = metric or name:gsub("_linear$", "")
      weights = weights or (name:match("_linear$") and "linear") or nil
      check("panel.csv", "--wide --metric " .. metric .. (weights and (" --weights " .. weights) or ""), want, name)
    end
  end)
end)

describe("agree: a sparse panel, 6 raters x 50 units, 35% missing", function()
  for _, level in ipairs {"nominal", "ordinal", "interval", "ratio"} do
    it(level .. " alpha equals fast-krippendorff, in wide and long form", function()
      local want = REF.sparse["alpha_" .. level]
      if not want then return pending("fast-krippendorff was absent when the references were made") end
      check("sparse.csv", "--wide --metric krippendorff_alpha --level " .. level, want, "wide")
      check("sparse_long.csv", "--metric krippendorff_alpha --level " .. level, want, "long")
    end)
  end

  it("nominal alpha equals nltk; per category equals fast-krippendorff on the binary recoding", function()
    check("sparse.csv", "--wide --metric krippendorff_alpha", REF.sparse.alpha_nominal_nltk, "nltk")
    local r = agree("agree " .. H.q(DIR .. "sparse_long.csv") .. " --metric krippendorff_alpha --per-category")
    for c, want in pairs(REF.sparse.alpha_per_category) do H.near(r.per_category[c], want, 1e-9, c) end
  end)

  it("irrCAC with missing values (Gwet 2014): every coefficient and standard error", function()
    local map = {
      krippendorff_alpha_interval = "--metric krippendorff_alpha --level interval",
      krippendorff_alpha_ratio = "--metric krippendorff_alpha --level ratio",
    }
    for name, want in pairs(IRR.sparse) do
      local args = map[name]
      if not args then
        local metric, weights = name:match("^(.-)_(quadratic)$")
        if not metric then metric, weights = name:match("^(.-)_(linear)$") end
        args = "--metric " .. (metric or name) .. (weights and (" --weights " .. weights) or "")
      end
      check("sparse_long.csv", args, want, name)
    end
  end)
end)

describe("agree: multi-label tags, 4 raters x 30 images", function()
  it("alpha with MASI and Jaccard distance equals nltk's AnnotationTask", function()
    check("tags_long.csv", "--multi-label --metric krippendorff_alpha --level masi", REF.tags.alpha_masi, "masi")
    check("tags_long.csv", "--multi-label --metric krippendorff_alpha --level jaccard", REF.tags.alpha_jaccard, "jaccard")
    check("tags_long.csv", "--multi-label --metric krippendorff_alpha", REF.tags.alpha_exact_nltk, "exact sets")
  end)

  it("per-label binary alpha equals nltk", function()
    local r = agree("agree " .. H.q(DIR .. "tags_long.csv") .. " --multi-label --metric krippendorff_alpha --level masi --per-category")
    for l, want in pairs(REF.tags.alpha_per_label) do H.near(r.per_category[l], want, 1e-9, l) end
  end)
end)
