#!/usr/bin/python3
"""The reference side of bench/agree.sh: the same job as `annovet agree` with the
tools users reach for, from the same CSV file to the printed value.

    agree_ref.py alpha FILE nominal|interval   fast-krippendorff (pandas reads the CSV)
    agree_ref.py cohen FILE                    sklearn cohen_kappa_score
    agree_ref.py fleiss FILE                   statsmodels fleiss_kappa
    agree_ref.py boot FILE N SEED              N bootstrap resamples of units, alpha per resample
fast-krippendorff is imported from $KRIPPENDORFF_PATH (a checkout outside the project).
"""
import os
import sys

import numpy as np
import pandas as pd

kind, path = sys.argv[1], sys.argv[2]
if kind in ("alpha", "boot"):
    sys.path.insert(0, os.environ.get("KRIPPENDORFF_PATH", "/tmp/ref/fast-krippendorff"))
    import krippendorff
    data = pd.read_csv(path, dtype=float).to_numpy().T      # raters x units, NaN missing
    if kind == "alpha":
        print(krippendorff.alpha(reliability_data=data, level_of_measurement=sys.argv[3]))
    else:
        n, rng = int(sys.argv[3]), np.random.default_rng(int(sys.argv[4]))
        vals = [krippendorff.alpha(reliability_data=data[:, rng.integers(0, data.shape[1], data.shape[1])],
                                   level_of_measurement="nominal", value_domain=[1, 2, 3, 4, 5]) for _ in range(n)]
        print(np.percentile(vals, [2.5, 97.5]))
elif kind == "cohen":
    from sklearn.metrics import cohen_kappa_score
    df = pd.read_csv(path)
    print(cohen_kappa_score(df.iloc[:, 0], df.iloc[:, 1]))
elif kind == "fleiss":
    from statsmodels.stats.inter_rater import aggregate_raters, fleiss_kappa
    table, _ = aggregate_raters(pd.read_csv(path).to_numpy())
    print(fleiss_kappa(table))
