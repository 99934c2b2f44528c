-- MIL-STD-105E (10 May 1989, "Approved for public release; distribution is
-- unlimited"), the single-sampling tables, as data: Table I (sample size code
-- letters), Table II-A (normal), II-B (tightened), II-C (reduced). ANSI/ASQ Z1.4
-- and ISO 2859-1 carry the same plans. lua/annovet/aql.lua reads these tables;
-- nothing here is code.
--
-- Sources, and how each table was cross-checked:
--  * Table I: the 105E transcription "Plan-Ilha" (scribd 212342834, "TABELA I.
--    Sample Size Code Letters", all 15 lot ranges x 7 levels), checked cell by
--    cell against the letter matrix in the data of the R package AQLSchemes
--    (GPL-2; its data read, none of its code used). Both give A for lot 2-8 at
--    level II (DOMAIN.md: one public JS table says B, which is wrong).
--  * Table II-A: the rows of Ac/Re of the transcription "Tablas" (scribd
--    563507790, "TABLE II-A - Single sampling plans for normal inspection
--    (Master table)", e.g. "K 125 ... 0 1 1 2 2 3 3 4 5 6 7 8 10 11 14 15 21 22"),
--    and for AQL 0.65-15 at every letter the Re numbers and arrows of NIBS
--    "AC-TABLE.ASC" Table 1-A ("developed from MIL-STD-105E using TABLE I ... and
--    TABLE II-A"). Every cell, after its arrows are followed, equals AQLSchemes'
--    n/Ac/Re matrices for normal inspection (16 letters x 26 AQLs).
--  * Table II-B: NIBS Table 1-B (AQL 0.65-15, Re numbers and arrows; row A holds
--    no plan there), and AQLSchemes' tightened matrices for every cell,
--    including code letter S (n = 3150, Ac 1 Re 2) reached by the arrows of
--    letters Q and R at AQL 0.025.
--  * Table II-C: AQLSchemes' reduced matrices for every cell (the Ac/Re pairs
--    with a gap, 0/2 1/3 1/4 2/5 3/6 5/8 7/10 10/13 14/17 21/24, and rows A-C,
--    whose sample size is 2). Only this one source gave every cell of II-C; its
--    shape (II-A's staircase, the reduced sample sizes, Ac/Re with a gap as 105E
--    10.1.4 describes) was checked by hand.
-- Cells where the sources disagree, and what is encoded:
--  * II-A row A, AQL 10: NIBS draws an up arrow, which has no plan above it in
--    row A; AQLSchemes resolves the cell to code C's plan (n 5, Ac 1 Re 2),
--    i.e. a down arrow. Encoded: down.
--  * II-A and II-C row R, AQL 0.015 (and II-B row R, AQL 0.015): no plan lies
--    below R in that column; AQLSchemes resolves them upwards (to P's 0/1 in
--    II-A and II-C, Q's 0/1 in II-B). Encoded: up.
--
-- Notation of a row: 26 cells, one per AQL in `aqls` order: "Ac/Re", "v" (use
-- the first plan below the arrow; "If sample size equals, or exceeds, lot or
-- batch size, do 100 percent inspection"), "^" (use the first plan above the
-- arrow), "-" (no plan: only row S of II-B has such cells).
local M = {}

M.source = "MIL-STD-105E (10 May 1989), Tables I, II-A, II-B, II-C"

-- The AQL columns of Tables II-A/B/C, as printed. Values up to 10 are percent
-- defective or nonconformities per 100 units; above 10, nonconformities per 100
-- units only (105E 4.3 and the tables' headings).
M.aqls = {"0.010", "0.015", "0.025", "0.040", "0.065", "0.10", "0.15", "0.25", "0.40",
  "0.65", "1.0", "1.5", "2.5", "4.0", "6.5", "10", "15", "25", "40", "65", "100",
  "150", "250", "400", "650", "1000"}

-- Table I: lot or batch size -> code letter per inspection level.
M.levels = {"S-1", "S-2", "S-3", "S-4", "I", "II", "III"}
M.table_i = {
  --  lot from, to        S-1  S-2  S-3  S-4   I    II   III
  {2, 8,                  "A", "A", "A", "A", "A", "A", "B"},
  {9, 15,                 "A", "A", "A", "A", "A", "B", "C"},
  {16, 25,                "A", "A", "B", "B", "B", "C", "D"},
  {26, 50,                "A", "B", "B", "C", "C", "D", "E"},
  {51, 90,                "B", "B", "C", "C", "C", "E", "F"},
  {91, 150,               "B", "B", "C", "D", "D", "F", "G"},
  {151, 280,              "B", "C", "D", "E", "E", "G", "H"},
  {281, 500,              "B", "C", "D", "E", "F", "H", "J"},
  {501, 1200,             "C", "C", "E", "F", "G", "J", "K"},
  {1201, 3200,            "C", "D", "E", "G", "H", "K", "L"},
  {3201, 10000,           "C", "D", "F", "G", "J", "L", "M"},
  {10001, 35000,          "C", "D", "F", "H", "K", "M", "N"},
  {35001, 150000,         "D", "E", "G", "J", "L", "N", "P"},
  {150001, 500000,        "D", "E", "G", "J", "M", "P", "Q"},
  {500001, math.huge,     "D", "E", "H", "K", "N", "Q", "R"},
}

-- Code letters from the smallest sample to the largest, per table.
M.letters = {
  normal = {"A", "B", "C", "D", "E", "F", "G", "H", "J", "K", "L", "M", "N", "P", "Q", "R"},
  tightened = {"A", "B", "C", "D", "E", "F", "G", "H", "J", "K", "L", "M", "N", "P", "Q", "R", "S"},
  reduced = {"A", "B", "C", "D", "E", "F", "G", "H", "J", "K", "L", "M", "N", "P", "Q", "R"},
}

-- Sample sizes per code letter (the "Sample size" column of each table).
M.sample_size = {
  normal = {A = 2, B = 3, C = 5, D = 8, E = 13, F = 20, G = 32, H = 50, J = 80, K = 125,
    L = 200, M = 315, N = 500, P = 800, Q = 1250, R = 2000},
  tightened = {A = 2, B = 3, C = 5, D = 8, E = 13, F = 20, G = 32, H = 50, J = 80, K = 125,
    L = 200, M = 315, N = 500, P = 800, Q = 1250, R = 2000, S = 3150},
  reduced = {A = 2, B = 2, C = 2, D = 3, E = 5, F = 8, G = 13, H = 20, J = 32, K = 50,
    L = 80, M = 125, N = 200, P = 315, Q = 500, R = 800},
}

M.table_name = {normal = "II-A", tightened = "II-B", reduced = "II-C"}

-- Tables II-A, II-B, II-C: one row per code letter, cells in `aqls` order.
M.rows = {
  normal = {
    A = "v v v v v v v v v v v v v v 0/1 v v 1/2 2/3 3/4 5/6 7/8 10/11 14/15 21/22 30/31",
    B = "v v v v v v v v v v v v v 0/1 ^ v 1/2 2/3 3/4 5/6 7/8 10/11 14/15 21/22 30/31 44/45",
    C = "v v v v v v v v v v v v 0/1 ^ v 1/2 2/3 3/4 5/6 7/8 10/11 14/15 21/22 30/31 44/45 ^",
    D = "v v v v v v v v v v v 0/1 ^ v 1/2 2/3 3/4 5/6 7/8 10/11 14/15 21/22 30/31 44/45 ^ ^",
    E = "v v v v v v v v v v 0/1 ^ v 1/2 2/3 3/4 5/6 7/8 10/11 14/15 21/22 30/31 44/45 ^ ^ ^",
    F = "v v v v v v v v v 0/1 ^ v 1/2 2/3 3/4 5/6 7/8 10/11 14/15 21/22 ^ ^ ^ ^ ^ ^",
    G = "v v v v v v v v 0/1 ^ v 1/2 2/3 3/4 5/6 7/8 10/11 14/15 21/22 ^ ^ ^ ^ ^ ^ ^",
    H = "v v v v v v v 0/1 ^ v 1/2 2/3 3/4 5/6 7/8 10/11 14/15 21/22 ^ ^ ^ ^ ^ ^ ^ ^",
    J = "v v v v v v 0/1 ^ v 1/2 2/3 3/4 5/6 7/8 10/11 14/15 21/22 ^ ^ ^ ^ ^ ^ ^ ^ ^",
    K = "v v v v v 0/1 ^ v 1/2 2/3 3/4 5/6 7/8 10/11 14/15 21/22 ^ ^ ^ ^ ^ ^ ^ ^ ^ ^",
    L = "v v v v 0/1 ^ v 1/2 2/3 3/4 5/6 7/8 10/11 14/15 21/22 ^ ^ ^ ^ ^ ^ ^ ^ ^ ^ ^",
    M = "v v v 0/1 ^ v 1/2 2/3 3/4 5/6 7/8 10/11 14/15 21/22 ^ ^ ^ ^ ^ ^ ^ ^ ^ ^ ^ ^",
    N = "v v 0/1 ^ v 1/2 2/3 3/4 5/6 7/8 10/11 14/15 21/22 ^ ^ ^ ^ ^ ^ ^ ^ ^ ^ ^ ^ ^",
    P = "v 0/1 ^ v 1/2 2/3 3/4 5/6 7/8 10/11 14/15 21/22 ^ ^ ^ ^ ^ ^ ^ ^ ^ ^ ^ ^ ^ ^",
    Q = "0/1 ^ v 1/2 2/3 3/4 5/6 7/8 10/11 14/15 21/22 ^ ^ ^ ^ ^ ^ ^ ^ ^ ^ ^ ^ ^ ^ ^",
    R = "^ ^ 1/2 2/3 3/4 5/6 7/8 10/11 14/15 21/22 ^ ^ ^ ^ ^ ^ ^ ^ ^ ^ ^ ^ ^ ^ ^ ^",
  },
  tightened = {
    A = "v v v v v v v v v v v v v v v v v v 1/2 2/3 3/4 5/6 8/9 12/13 18/19 27/28",
    B = "v v v v v v v v v v v v v v 0/1 v v 1/2 2/3 3/4 5/6 8/9 12/13 18/19 27/28 41/42",
    C = "v v v v v v v v v v v v v 0/1 v v 1/2 2/3 3/4 5/6 8/9 12/13 18/19 27/28 41/42 ^",
    D = "v v v v v v v v v v v v 0/1 v v 1/2 2/3 3/4 5/6 8/9 12/13 18/19 27/28 41/42 ^ ^",
    E = "v v v v v v v v v v v 0/1 v v 1/2 2/3 3/4 5/6 8/9 12/13 18/19 27/28 41/42 ^ ^ ^",
    F = "v v v v v v v v v v 0/1 v v 1/2 2/3 3/4 5/6 8/9 12/13 18/19 ^ ^ ^ ^ ^ ^",
    G = "v v v v v v v v v 0/1 v v 1/2 2/3 3/4 5/6 8/9 12/13 18/19 ^ ^ ^ ^ ^ ^ ^",
    H = "v v v v v v v v 0/1 v v 1/2 2/3 3/4 5/6 8/9 12/13 18/19 ^ ^ ^ ^ ^ ^ ^ ^",
    J = "v v v v v v v 0/1 v v 1/2 2/3 3/4 5/6 8/9 12/13 18/19 ^ ^ ^ ^ ^ ^ ^ ^ ^",
    K = "v v v v v v 0/1 v v 1/2 2/3 3/4 5/6 8/9 12/13 18/19 ^ ^ ^ ^ ^ ^ ^ ^ ^ ^",
    L = "v v v v v 0/1 v v 1/2 2/3 3/4 5/6 8/9 12/13 18/19 ^ ^ ^ ^ ^ ^ ^ ^ ^ ^ ^",
    M = "v v v v 0/1 v v 1/2 2/3 3/4 5/6 8/9 12/13 18/19 ^ ^ ^ ^ ^ ^ ^ ^ ^ ^ ^ ^",
    N = "v v v 0/1 v v 1/2 2/3 3/4 5/6 8/9 12/13 18/19 ^ ^ ^ ^ ^ ^ ^ ^ ^ ^ ^ ^ ^",
    P = "v v 0/1 v v 1/2 2/3 3/4 5/6 8/9 12/13 18/19 ^ ^ ^ ^ ^ ^ ^ ^ ^ ^ ^ ^ ^ ^",
    Q = "v 0/1 v v 1/2 2/3 3/4 5/6 8/9 12/13 18/19 ^ ^ ^ ^ ^ ^ ^ ^ ^ ^ ^ ^ ^ ^ ^",
    R = "0/1 ^ v 1/2 2/3 3/4 5/6 8/9 12/13 18/19 ^ ^ ^ ^ ^ ^ ^ ^ ^ ^ ^ ^ ^ ^ ^ ^",
  },
  reduced = {
    A = "v v v v v v v v v v v v v v 0/1 v v 1/2 2/3 3/4 5/6 7/8 10/11 14/15 21/22 30/31",
    B = "v v v v v v v v v v v v v 0/1 ^ v 0/2 1/3 2/4 3/5 5/6 7/8 10/11 14/15 21/22 30/31",
    C = "v v v v v v v v v v v v 0/1 ^ v 0/2 1/3 1/4 2/5 3/6 5/8 7/10 10/13 14/17 21/24 ^",
    D = "v v v v v v v v v v v 0/1 ^ v 0/2 1/3 1/4 2/5 3/6 5/8 7/10 10/13 14/17 21/24 ^ ^",
    E = "v v v v v v v v v v 0/1 ^ v 0/2 1/3 1/4 2/5 3/6 5/8 7/10 10/13 14/17 21/24 ^ ^ ^",
    F = "v v v v v v v v v 0/1 ^ v 0/2 1/3 1/4 2/5 3/6 5/8 7/10 10/13 ^ ^ ^ ^ ^ ^",
    G = "v v v v v v v v 0/1 ^ v 0/2 1/3 1/4 2/5 3/6 5/8 7/10 10/13 ^ ^ ^ ^ ^ ^ ^",
    H = "v v v v v v v 0/1 ^ v 0/2 1/3 1/4 2/5 3/6 5/8 7/10 10/13 ^ ^ ^ ^ ^ ^ ^ ^",
    J = "v v v v v v 0/1 ^ v 0/2 1/3 1/4 2/5 3/6 5/8 7/10 10/13 ^ ^ ^ ^ ^ ^ ^ ^ ^",
    K = "v v v v v 0/1 ^ v 0/2 1/3 1/4 2/5 3/6 5/8 7/10 10/13 ^ ^ ^ ^ ^ ^ ^ ^ ^ ^",
    L = "v v v v 0/1 ^ v 0/2 1/3 1/4 2/5 3/6 5/8 7/10 10/13 ^ ^ ^ ^ ^ ^ ^ ^ ^ ^ ^",
    M = "v v v 0/1 ^ v 0/2 1/3 1/4 2/5 3/6 5/8 7/10 10/13 ^ ^ ^ ^ ^ ^ ^ ^ ^ ^ ^ ^",
    N = "v v 0/1 ^ v 0/2 1/3 1/4 2/5 3/6 5/8 7/10 10/13 ^ ^ ^ ^ ^ ^ ^ ^ ^ ^ ^ ^ ^",
    P = "v 0/1 ^ v 0/2 1/3 1/4 2/5 3/6 5/8 7/10 10/13 ^ ^ ^ ^ ^ ^ ^ ^ ^ ^ ^ ^ ^ ^",
    Q = "0/1 ^ v 0/2 1/3 1/4 2/5 3/6 5/8 7/10 10/13 ^ ^ ^ ^ ^ ^ ^ ^ ^ ^ ^ ^ ^ ^ ^",
    R = "^ ^ 0/2 1/3 1/4 2/5 3/6 5/8 7/10 10/13 ^ ^ ^ ^ ^ ^ ^ ^ ^ ^ ^ ^ ^ ^ ^ ^",
  },
}
M.rows.tightened.S = "- - 1/2 - - - - - - - - - - - - - - - - - - - - - - -"

return M
