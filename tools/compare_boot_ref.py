#!/usr/bin/env python3
"""Independent reference for `annovet compare --ci`: the percentile bootstrap
over gold items, per vendor and per pair of vendors, written from the method's
description (README, "Intervals") without annovet's code.

The case is a table of per-item, per-class TP/FP/FN counts of two vendors on
six gold items (CASE below); tests/compare_stats_spec.lua builds COCO files
that realise exactly these counts (a TP an exact copy of a gold box, an FP a box
far from every gold one, an FN a gold box not drawn) and compares annovet's
intervals with what this script prints.

The resampling uses the same portable PRNG as annovet (xoshiro256** 1.0 seeded
by splitmix64, as published at prng.di.unimi.it), ported here: per resample,
n draws of an unbiased integer below n (rejection of draws below 2^64 mod n,
then the remainder), each adding one to its item's weight. Quantiles are
linear between order statistics (numpy's default; checked against
numpy.quantile below), the standard error is the sample standard deviation of
the defined resamples, z is statistics.NormalDist().inv_cdf((1 + level) / 2).

  /usr/bin/python3 tools/compare_boot_ref.py [--resamples 200] [--seed 42] [--level 0.95]
prints one line per value: KEY VALUE (repr, so every bit is kept).
"""
import argparse
import math
import statistics

import numpy as np

MASK = (1 << 64) - 1

# item -> vendor -> class -> (tp, fp, fn)
CASE = [
    {"A": {"car": (2, 0, 0), "person": (1, 0, 0)}, "B": {"car": (1, 1, 1), "person": (1, 0, 0)}},
    {"A": {"car": (1, 0, 1)}, "B": {"car": (2, 0, 0)}},
    {"A": {"person": (0, 1, 1)}, "B": {"person": (1, 0, 0)}},
    {"A": {"car": (3, 0, 0), "person": (1, 1, 0)}, "B": {"car": (2, 0, 1), "person": (0, 0, 1)}},
    {"A": {"car": (0, 0, 2)}, "B": {"car": (1, 0, 1)}},
    {"A": {"car": (1, 0, 0), "person": (2, 0, 0)}, "B": {"car": (1, 1, 0), "person": (2, 0, 0)}},
]
CLASSES = ["car", "person"]
VENDORS = ["A", "B"]


class Rng:
    """xoshiro256** seeded by splitmix64."""

    def __init__(self, seed):
        x = seed & MASK
        self.s = []
        for _ in range(4):
            x = (x + 0x9E3779B97F4A7C15) & MASK
            z = x
            z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & MASK
            z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & MASK
            self.s.append(z ^ (z >> 31))

    @staticmethod
    def rotl(x, k):
        return ((x << k) | (x >> (64 - k))) & MASK

    def next(self):
        s = self.s
        result = (self.rotl((s[1] * 5) & MASK, 7) * 9) & MASK
        t = (s[1] << 17) & MASK
        s[2] ^= s[0]
        s[3] ^= s[1]
        s[1] ^= s[2]
        s[0] ^= s[3]
        s[2] ^= t
        s[3] = self.rotl(s[3], 45)
        return result

    def below(self, n):
        limit = ((1 << 64) - n) % n
        while True:
            x = self.next()
            if x >= limit:
                return x % n


def prf(tp, fp, fn):
    p = tp / (tp + fp) if tp + fp > 0 else math.nan
    r = tp / (tp + fn) if tp + fn > 0 else math.nan
    f = 2 * tp / (2 * tp + fp + fn) if 2 * tp + fp + fn > 0 else math.nan
    return p, r, f


def scores(vendor, weights):
    """{class or 'micro': (p, r, f1)} with item i counted weights[i] times."""
    acc = {c: [0.0, 0.0, 0.0] for c in CLASSES}
    for item, w in zip(CASE, weights):
        for c, counts in item[vendor].items():
            for q in range(3):
                acc[c][q] += w * counts[q]
    out = {c: prf(*acc[c]) for c in CLASSES}
    micro = [0.0, 0.0, 0.0]
    for c in CLASSES:
        for q in range(3):
            micro[q] += acc[c][q]
    out["micro"] = prf(*micro)
    return out


def quantile(x, p):
    h = (len(x) - 1) * p
    f = math.floor(h)
    i = int(f)
    if i + 1 >= len(x):
        return x[-1]
    return x[i] + (h - f) * (x[i + 1] - x[i])


def interval(est, reps, level):
    v = [x for x in reps if not math.isnan(x)]
    out = {"estimate": est, "undefined": len(reps) - len(v)}
    if not v or math.isnan(est):
        return out
    mean = 0.0
    for x in v:
        mean += x
    mean /= len(v)
    ss = 0.0
    for x in v:
        ss += (x - mean) * (x - mean)
    out["se"] = math.sqrt(ss / (len(v) - 1)) if len(v) > 1 else 0.0
    v.sort()
    out["low"] = quantile(v, (1 - level) / 2)
    out["high"] = quantile(v, (1 + level) / 2)
    for key, p in (("low", (1 - level) / 2), ("high", (1 + level) / 2)):
        assert abs(out[key] - float(np.quantile(np.array(v), p))) < 1e-12, "numpy disagrees"
    return out


def verdict(ci, n, z):
    if "low" not in ci:
        return 0, None
    v = 1 if ci["low"] > 0 else -1 if ci["high"] < 0 else 0
    need = None
    if v == 0 and abs(ci["estimate"]) > 1e-12 and ci["se"] > 0:
        x = z * ci["se"] / abs(ci["estimate"])
        need = math.ceil(n * x * x)
    return v, need


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--resamples", type=int, default=200)
    ap.add_argument("--seed", type=int, default=42)
    ap.add_argument("--level", type=float, default=0.95)
    a = ap.parse_args()
    n, B = len(CASE), a.resamples
    z = statistics.NormalDist().inv_cdf((1 + a.level) / 2)
    est = {v: scores(v, [1] * n) for v in VENDORS}
    reps = {v: [] for v in VENDORS}
    rng = Rng(a.seed)
    for _ in range(B):
        w = [0] * n
        for _ in range(n):
            w[rng.below(n)] += 1
        for v in VENDORS:
            reps[v].append(scores(v, w))
    print("z", repr(z))
    for v in VENDORS:
        for c in CLASSES + ["micro"]:
            for q, name in enumerate(("precision", "recall", "f1")):
                ci = interval(est[v][c][q], [r[c][q] for r in reps[v]], a.level)
                for key in ("estimate", "low", "high", "se", "undefined"):
                    if key in ci:
                        print(f"{v}.{c}.{name}.{key}", repr(ci[key]))
    for c in CLASSES + ["micro"]:
        d = [ra[c][2] - rb[c][2] for ra, rb in zip(reps["A"], reps["B"])]
        ci = interval(est["A"][c][2] - est["B"][c][2], d, a.level)
        v, need = verdict(ci, n, z)
        for key in ("estimate", "low", "high", "se", "undefined"):
            if key in ci:
                print(f"A-B.{c}.{key}", repr(ci[key]))
        print(f"A-B.{c}.verdict", v)
        print(f"A-B.{c}.items_needed", need)


if __name__ == "__main__":
    main()
