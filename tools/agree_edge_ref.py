#!/usr/bin/python3
"""Reference values for the edge cases of issue 13 in tests/agree_spec.lua.

    /usr/bin/python3 tools/agree_edge_ref.py [--krippendorff DIR]

prints, for each case, what Debian's nltk and statsmodels return, what
fast-krippendorff returns when DIR (a local checkout outside the project, never
committed) is given, and irrCAC's value computed by hand: R is not installed
here, so irrcac() below transcribes the value part of irrCAC 1.0's
gwet.ac1.raw, bp.coeff.raw and fleiss.kappa.raw (Gwet 2014, ch. 2 and 4) for
unweighted ratings.

Cases: one unit rated a, a, b by three raters; one unit rated a, a, a; three
units rated x by three raters each, with the categories x, y given.
"""
import sys
import warnings

import nltk
import numpy as np
import statsmodels
from nltk.metrics.agreement import AnnotationTask
from statsmodels.stats.inter_rater import fleiss_kappa


def irrcac(units, categories):
    """Gwet's AC1, Brennan-Prediger and Fleiss' kappa as irrCAC computes them
    from raw ratings (units: list of lists of labels)."""
    q = len(categories)
    counts = np.array([[u.count(c) for c in categories] for u in units], dtype=float)
    n = len(units)
    ri = counts.sum(axis=1)
    pairable = ri >= 2
    pa = np.sum((counts * (counts - 1)).sum(axis=1)[pairable] / (ri * (ri - 1))[pairable]) / pairable.sum()
    pi = (counts / ri[:, None]).sum(axis=0) / n
    out = {}
    pe = np.sum(pi * (1 - pi)) / (q - 1) if q >= 2 else 1e-15   # sum(weights) = q for identity weights
    out["gwet_ac1"] = (pa - pe) / (1 - pe)
    pe = 1 / q
    out["brennan_prediger"] = (pa - pe) / (1 - pe) if pe < 1 else float("nan")
    pe = np.sum(pi * pi) if q >= 2 else 1e-15
    out["fleiss_kappa"] = (pa - pe) / (1 - pe)
    return out


def task(units):
    return AnnotationTask(data=[("r%d" % (i + 1), "u%d" % (j + 1), v)
                                for j, u in enumerate(units) for i, v in enumerate(u)])


def safe(f):
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return float(f())
    except Exception as e:   # a reference that refuses: its message
        return "%s: %s" % (type(e).__name__, e)


def main():
    fk = None
    if len(sys.argv) == 3 and sys.argv[1] == "--krippendorff":
        sys.path.insert(0, sys.argv[2])
        import krippendorff as fk
    print("nltk", nltk.__version__, "statsmodels", statsmodels.__version__, "numpy", np.__version__,
          "fast-krippendorff", "present" if fk else "absent")
    cases = [
        ("one unit a,a,b", [["a", "a", "b"]], ["a", "b"]),
        ("one unit a,a,a", [["a", "a", "a"]], ["a"]),
        ("three units x,x,x, categories x,y", [["x", "x", "x"]] * 3, ["x", "y"]),
    ]
    for name, units, cats in cases:
        table = np.array([[u.count(c) for c in cats] for u in units])
        print(name)
        print("  nltk alpha", safe(lambda: task(units).alpha()))
        print("  nltk pi (multi-rater, Fleiss)", safe(lambda: task(units).pi()))
        print("  statsmodels fleiss_kappa", safe(lambda: fleiss_kappa(table)))
        print("  statsmodels fleiss_kappa uniform (Brennan-Prediger)", safe(lambda: fleiss_kappa(table, method="uniform")))
        if fk:
            codes = np.array([[float(cats.index(v)) for v in u] for u in units]).T   # raters x units
            print("  fast-krippendorff alpha", safe(lambda: fk.alpha(reliability_data=codes, level_of_measurement="nominal")))
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            ref = irrcac(units, cats)
        for k, v in sorted(ref.items()):
            print("  irrCAC (by hand)", k, v)


if __name__ == "__main__":
    main()
