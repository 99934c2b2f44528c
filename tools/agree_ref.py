#!/usr/bin/python3
"""Reference values for tests/agree_ref_spec.lua, from the tools users trust.

Writes the seeded random data sets to tests/data/agree/*.csv and prints
tests/data/agree/expected.lua (a Lua table) computed with Debian's sklearn,
statsmodels and nltk, and with fast-krippendorff (the `krippendorff` package,
pysal/pln-fing-udelar fast-krippendorff) when it is importable from
$KRIPPENDORFF_PATH (a local checkout outside the project; never committed).

    PYTHONHASHSEED=0 KRIPPENDORFF_PATH=/tmp/ref/fast-krippendorff /usr/bin/python3 tools/agree_ref.py \
        > tests/data/agree/expected.lua

(nltk sums over sets, so without PYTHONHASHSEED its values may change in the
last bit from run to run.)

The irrCAC values come from tools/agree_ref.R on the same CSV files.
"""
import csv
import math
import os
import random
import sys

import numpy as np
from nltk.metrics.agreement import AnnotationTask
from nltk.metrics.distance import jaccard_distance, masi_distance
from sklearn.metrics import cohen_kappa_score
from statsmodels.stats.inter_rater import aggregate_raters, cohens_kappa, fleiss_kappa

sys.path.insert(0, os.environ.get("KRIPPENDORFF_PATH", "/tmp/ref/fast-krippendorff"))
try:
    import krippendorff
except ImportError:  # the alpha values then come from nltk only
    krippendorff = None

OUT = os.path.join(os.path.dirname(__file__), "..", "tests", "data", "agree")


def write_wide(name, raters, rows):
    """rows: per unit, one value (or None) per rater."""
    with open(os.path.join(OUT, name), "w", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(raters)
        for r in rows:
            w.writerow(["" if v is None else v for v in r])


def write_long(name, triples):
    with open(os.path.join(OUT, name), "w", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["unit", "rater", "value", "note"])
        for t in triples:
            w.writerow(list(t) + ["x"])


def write_tags(name, rows):
    with open(os.path.join(OUT, name), "w", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["item", "annotator", "label"])
        for r in rows:
            w.writerow(r)


def lua(v):
    if isinstance(v, dict):
        return "{" + ", ".join("[%s] = %s" % (lua(k), lua(x)) for k, x in sorted(v.items())) + "}"
    if isinstance(v, str):
        return '"%s"' % v
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return "nil"
    return repr(float(v))


def gwet_ac1_complete(rows, k):
    """Gwet's AC1 of category k against the rest on complete data (Gwet 2008,
    eq. 14 with q = 2): pa from the agreeing pairs per unit, pe = sum_c
    pi_c (1 - pi_c) / (q - 1) with pi_c the share of ratings in class c."""
    r = len(rows[0])
    ones = [sum(1 for v in row if v == k) for row in rows]
    pa = sum((c * (c - 1) + (r - c) * (r - c - 1)) / (r * (r - 1)) for c in ones) / len(rows)
    pi = sum(ones) / (r * len(rows))
    pe = (pi * (1 - pi) + (1 - pi) * pi) / (2 - 1)
    return (pa - pe) / (1 - pe)


def light_pairwise(rows, k):
    """Light's kappa of category k against the rest: sklearn's Cohen kappa of
    every pair of raters on the units both rated, averaged."""
    r = len(rows[0])
    ks = []
    for i in range(r):
        for j in range(i + 1, r):
            both = [(row[i], row[j]) for row in rows if row[i] is not None and row[j] is not None]
            ks.append(cohen_kappa_score([a == k for a, _ in both], [b == k for _, b in both]))
    return sum(ks) / len(ks)


def alpha_ref(matrix, level):
    """fast-krippendorff on a raters x units matrix with NaN for missing."""
    if krippendorff is None:
        return None
    return krippendorff.alpha(reliability_data=np.array(matrix, float), level_of_measurement=level)


def main():
    os.makedirs(OUT, exist_ok=True)
    rng = random.Random(20240611)
    exp = {}

    # 1. pairs: two raters, 60 units, 4 ordered categories, correlated ratings
    cats = ["a", "b", "c", "d"]
    rows = []
    for _ in range(60):
        x = rng.randrange(4)
        y = x if rng.random() < 0.6 else min(3, max(0, x + rng.choice([-2, -1, 1, 2])))
        rows.append([cats[x], cats[y]])
    write_wide("pairs.csv", ["r1", "r2"], rows)
    a = [r[0] for r in rows]
    b = [r[1] for r in rows]
    idx = {c: i for i, c in enumerate(cats)}
    table = np.zeros((4, 4))
    for x, y in zip(a, b):
        table[idx[x], idx[y]] += 1
    e = {}
    e["cohen"] = cohen_kappa_score(a, b)
    e["cohen_linear"] = cohen_kappa_score(a, b, weights="linear")
    e["cohen_quadratic"] = cohen_kappa_score(a, b, weights="quadratic")
    e["cohen_se"] = cohens_kappa(table).std_kappa
    e["cohen_linear_se"] = cohens_kappa(table, wt="linear").std_kappa
    e["cohen_quadratic_se"] = cohens_kappa(table, wt="quadratic").std_kappa
    task = AnnotationTask(data=[(c, str(u), r[i]) for u, r in enumerate(rows) for i, c in enumerate(["r1", "r2"])])
    e["scott_nltk"] = task.pi()
    e["alpha_nltk"] = task.alpha()
    e["percent_nltk"] = task.avg_Ao()
    # per category: sklearn on the one-against-the-rest recoding
    e["cohen_per_category"] = {c: cohen_kappa_score([x == c for x in a], [y == c for y in b]) for c in cats}
    binary = {c: AnnotationTask(data=[(n, str(u), str(r[i] == c)) for u, r in enumerate(rows)
                                      for i, n in enumerate(["r1", "r2"])]) for c in cats}
    e["scott_per_category_nltk"] = {c: t.pi() for c, t in binary.items()}
    e["percent_per_category_nltk"] = {c: t.avg_Ao() for c, t in binary.items()}
    exp["pairs"] = e

    # 2. panel: five raters, 40 units, 3 categories, complete
    rows = []
    for _ in range(40):
        truth = rng.randrange(3)
        rows.append([truth if rng.random() < 0.7 else rng.randrange(3) for _ in range(5)])
    names = ["p1", "p2", "p3", "p4", "p5"]
    write_wide("panel.csv", names, [[["x", "y", "z"][v] for v in r] for r in rows])
    arr = np.array(rows)
    counts, _ = aggregate_raters(arr)
    e = {}
    e["fleiss"] = fleiss_kappa(counts, method="fleiss")
    e["brennan_prediger"] = fleiss_kappa(counts, method="randolph")
    task = AnnotationTask(data=[(names[i], str(u), str(r[i])) for u, r in enumerate(rows) for i in range(5)])
    e["light_nltk"] = task.kappa()
    e["fleiss_nltk_multi_pi"] = task.pi()
    e["alpha_nltk"] = task.alpha()
    e["percent_nltk"] = task.avg_Ao()
    e["fleiss_per_category"] = {
        c: fleiss_kappa(aggregate_raters((arr == k).astype(int), n_cat=2)[0]) for k, c in enumerate(["x", "y", "z"])
    }
    e["brennan_prediger_per_category"] = {
        c: fleiss_kappa(aggregate_raters((arr == k).astype(int), n_cat=2)[0], method="randolph")
        for k, c in enumerate(["x", "y", "z"])
    }
    binary = {c: AnnotationTask(data=[(names[i], str(u), str(r[i] == k)) for u, r in enumerate(rows) for i in range(5)])
              for k, c in enumerate(["x", "y", "z"])}
    e["light_per_category_nltk"] = {c: t.kappa() for c, t in binary.items()}
    e["percent_per_category_nltk"] = {c: t.avg_Ao() for c, t in binary.items()}
    e["gwet_ac1_per_category"] = {c: gwet_ac1_complete(rows, k) for k, c in enumerate(["x", "y", "z"])}
    exp["panel"] = e

    # 3. sparse: six raters, 50 units, values 1..5, about 35% missing
    rows = []
    for _ in range(50):
        truth = rng.randrange(1, 6)
        r = []
        for _ in range(6):
            if rng.random() < 0.35:
                r.append(None)
            else:
                r.append(truth if rng.random() < 0.6 else max(1, min(5, truth + rng.choice([-2, -1, 1, 2]))))
        rows.append(r)
    names = ["s%d" % i for i in range(1, 7)]
    write_long("sparse_long.csv", [("unit%d" % u, names[i], v) for u, r in enumerate(rows)
                                   for i, v in enumerate(r) if v is not None])
    write_wide("sparse.csv", names, rows)
    mat = [[np.nan if r[i] is None else r[i] for r in rows] for i in range(6)]
    e = {}
    for level in ["nominal", "ordinal", "interval", "ratio"]:
        e["alpha_" + level] = alpha_ref(mat, level)
    task = AnnotationTask(data=[(names[i], str(u), str(r[i])) for u, r in enumerate(rows)
                                for i in range(6) if r[i] is not None])
    e["alpha_nominal_nltk"] = task.alpha()
    e["alpha_per_category"] = {
        str(k): alpha_ref([[np.nan if r[i] is None else float(r[i] == k) for r in rows] for i in range(6)], "nominal")
        for k in range(1, 6)
    }
    e["light_per_category"] = {str(k): light_pairwise(rows, k) for k in range(1, 6)}
    exp["sparse"] = e

    # 4. tags: four raters, 30 units, label sets over a..d (never empty)
    labels = ["a", "b", "c", "d"]
    sets = []
    for _ in range(30):
        base = {l for l in labels if rng.random() < 0.4} or {rng.choice(labels)}
        unit = []
        for _ in range(4):
            s = set(base)
            if rng.random() < 0.4:
                s ^= {rng.choice(labels)}
            unit.append(s or {rng.choice(labels)})
        sets.append(unit)
    names = ["t1", "t2", "t3", "t4"]
    write_long("tags_long.csv", [("img%d" % u, names[i], l) for u, unit in enumerate(sets)
                                 for i, s in enumerate(unit) for l in sorted(s)])
    e = {}
    data = [(names[i], str(u), frozenset(s)) for u, unit in enumerate(sets) for i, s in enumerate(unit)]
    e["alpha_masi"] = AnnotationTask(data=data, distance=masi_distance).alpha()
    e["alpha_jaccard"] = AnnotationTask(data=data, distance=jaccard_distance).alpha()
    e["alpha_exact_nltk"] = AnnotationTask(data=data).alpha()
    e["alpha_per_label"] = {
        l: AnnotationTask(data=[(names[i], str(u), l in s) for u, unit in enumerate(sets)
                                for i, s in enumerate(unit)]).alpha() for l in labels
    }
    exp["tags"] = e

    # 5. Fleiss (1971) diagnoses: 30 patients, 6 psychiatrists, 5 categories
    #    (the raw ratings in statsmodels' test_inter_rater.py)
    from statsmodels.stats.tests.test_inter_rater import diagnoses, table10
    write_wide("fleiss1971.csv", ["d%d" % i for i in range(1, 7)], diagnoses.tolist())
    counts, _ = aggregate_raters(diagnoses)
    exp["fleiss1971"] = {
        "fleiss": fleiss_kappa(counts),
        # Fleiss' category-specific kappa (his eq. 21) equals kappa on the binary recoding
        "fleiss_per_category": {
            str(k): fleiss_kappa(aggregate_raters((diagnoses == k).astype(int), n_cat=2)[0]) for k in range(1, 6)
        },
    }

    # 6. The SAS example of statsmodels' TestUnweightedCohens (table10)
    t10 = np.array(table10)
    triples = []
    u = 0
    for i in range(3):
        for j in range(3):
            for _ in range(int(t10[i, j])):
                triples.append(("u%d" % u, "A", i + 1))
                triples.append(("u%d" % u, "B", j + 1))
                u += 1
    write_long("sas_table10.csv", triples)
    exp["sas"] = {
        "cohen": cohens_kappa(t10).kappa, "cohen_se": cohens_kappa(t10).std_kappa,
        "cohen_linear": cohens_kappa(t10, weights=[0, 1, 2]).kappa,
        "cohen_linear_se": cohens_kappa(t10, weights=[0, 1, 2]).std_kappa,
    }

    # 7. Krippendorff (2011), "Computing Krippendorff's Alpha-Reliability": 4 observers x 12 units
    k = [[1, 2, 3, 3, 2, 1, 4, 1, 2, None, None, None], [1, 2, 3, 3, 2, 2, 4, 1, 2, 5, None, 3],
         [None, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, None], [1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, None]]
    write_wide("kripp2011.csv", ["o1", "o2", "o3", "o4"], [[k[i][u] for i in range(4)] for u in range(12)])
    km = [[np.nan if v is None else v for v in r] for r in k]
    exp["kripp2011"] = {"alpha_" + l: alpha_ref(km, l) for l in ["nominal", "ordinal", "interval", "ratio"]}

    # 8. Tag deliveries (annovet's csv format: item,annotator,label, one row per
    #    tag, rows shuffled), read by `annovet agree --from-annotations`. A seed
    #    of their own, so the data sets above do not change.
    trng = random.Random(20240613)
    labels = ["bird", "car", "cat", "dog"]
    # 8a. three annotators tag all 25 images, often with several tags
    names = ["ann1", "ann2", "ann3"]
    sets = []
    for u in range(25):
        base = {l for l in labels if trng.random() < 0.45} or {trng.choice(labels)}
        unit = []
        for _ in names:
            s = set(base)
            if trng.random() < 0.45:
                s ^= {trng.choice(labels)}
            unit.append(s or {trng.choice(labels)})
        sets.append(unit)
    rows = [("img%02d.jpg" % u, names[i], l) for u, unit in enumerate(sets) for i, s in enumerate(unit) for l in sorted(s)]
    rows.append(rows[7])   # a tag given twice is still one tag of the set
    trng.shuffle(rows)
    write_tags("tags_delivery.csv", rows)
    data = [(names[i], "img%02d.jpg" % u, frozenset(s)) for u, unit in enumerate(sets) for i, s in enumerate(unit)]
    e = {}
    e["alpha_masi"] = AnnotationTask(data=data, distance=masi_distance).alpha()
    e["alpha_jaccard"] = AnnotationTask(data=data, distance=jaccard_distance).alpha()
    e["alpha_exact"] = AnnotationTask(data=data).alpha()
    e["alpha_per_label"] = {
        l: AnnotationTask(data=[(n, i, l in s) for n, i, s in data]).alpha() for l in labels
    }
    e["fleiss_per_label"] = {
        l: fleiss_kappa(aggregate_raters(np.array([[int(l in s) for s in unit] for unit in sets]), n_cat=2)[0])
        for l in labels
    }
    exp["tags_delivery"] = e
    # 8b. four annotators give one tag per image (30 images); ann4 skips three
    names = ["ann1", "ann2", "ann3", "ann4"]
    units = []
    for u in range(30):
        truth = trng.choice(labels)
        units.append([truth if trng.random() < 0.7 else trng.choice(labels) for _ in names])
    skipped = {4, 11, 23}
    rows = [("img%02d.jpg" % u, names[i], v) for u, unit in enumerate(units) for i, v in enumerate(unit)
            if not (i == 3 and u in skipped)]
    trng.shuffle(rows)
    write_tags("tags_single.csv", rows)
    e = {}
    # --raters all: ann4 saw every image, so a skipped one is "(none)"
    full = [[("(none)" if i == 3 and u in skipped else v) for i, v in enumerate(unit)] for u, unit in enumerate(units)]
    task = AnnotationTask(data=[(names[i], str(u), v) for u, unit in enumerate(full) for i, v in enumerate(unit)])
    e["all_alpha_nltk"] = task.alpha()
    e["all_light_nltk"] = task.kappa()
    e["all_percent_nltk"] = task.avg_Ao()
    cats = sorted({v for unit in full for v in unit})
    e["all_fleiss"] = fleiss_kappa(aggregate_raters(np.array([[cats.index(v) for v in unit] for unit in full]),
                                                    n_cat=len(cats))[0])
    # --raters item (the default): ann4 did not rate the images it skipped
    mat = [[np.nan if (i == 3 and u in skipped) else float(labels.index(unit[i])) for u, unit in enumerate(units)]
           for i in range(4)]
    e["item_alpha"] = alpha_ref(mat, "nominal")
    exp["tags_single"] = e

    print("-- Generated by tools/agree_ref.py (see its docstring for the command); do not edit.")
    print("-- sklearn %s, statsmodels %s, nltk %s, fast-krippendorff %s" % (
        __import__("sklearn").__version__, __import__("statsmodels").__version__,
        __import__("nltk").__version__, "present" if krippendorff else "absent"))
    print("return " + lua(exp))


if __name__ == "__main__":
    main()
