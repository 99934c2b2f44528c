#!/usr/bin/env python3
"""Independent reference for `annovet compare --iou-type semantic` on PNG label images.

Reads two folders of PNG label images (in the folder or its masks/, each with a
classes.txt naming pixel value v on line v) with PIL and numpy, pairs the images
by file name and classes by name, and counts as the standard semantic-segmentation
evaluation does (mmseg's intersect_and_union, summed over images): per class the
pixels both label with it (intersection), and the pixels either labels with it
(union); IoU = intersection / union, mIoU the mean over the classes whose union
is not empty. Values named "background" or "ignored", and 0 and 255 without a
name, are no class (as annovet reads label images). Pixel accuracy: the share of
all pixels of the compared images whose labels agree, no class counting as one
label. Images of different sizes, and images one side lacks, are left out
(--count-missing: gold images the vendor lacks count as labelled nothing).

  /usr/bin/python3 tools/semantic_ref.py GOLD_DIR VENDOR_DIR [--count-missing]

Prints JSON: {"per_class": {name: {"iou", "intersection", "union", "gold",
"vendor"}}, "mean_iou", "pixel_accuracy", "pixels", "correct", "confusion":
{gold: {vendor: pixels}}} ("(none)" for no class in the confusion).
"""
import argparse
import json
import os
import sys

import numpy as np
from PIL import Image


def read_side(path):
    d = os.path.join(path, "masks") if os.path.isdir(os.path.join(path, "masks")) else path
    with open(os.path.join(path, "classes.txt")) as f:
        names = [line.rstrip("\n") for line in f]
    named = {v: n for v, n in enumerate(names) if n and n not in ("background", "ignored")}
    images = {}
    for name in sorted(os.listdir(d)):
        if name.endswith(".png"):
            images[name] = np.array(Image.open(os.path.join(d, name)))
    return named, images


def labels(img, named, index):
    """Class index per pixel (-1: none)."""
    out = np.full(img.shape, -1, dtype=np.int64)
    for v, n in named.items():
        out[img == v] = index[n]
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("gold")
    ap.add_argument("vendor")
    ap.add_argument("--count-missing", action="store_true")
    a = ap.parse_args()
    gnamed, gimgs = read_side(a.gold)
    vnamed, vimgs = read_side(a.vendor)
    classes = sorted(set(gnamed.values()) | set(vnamed.values()))
    index = {n: k for k, n in enumerate(classes)}
    nc = len(classes)
    inter = np.zeros(nc, np.int64)
    union = np.zeros(nc, np.int64)
    gold = np.zeros(nc, np.int64)
    vendor = np.zeros(nc, np.int64)
    conf = np.zeros((nc + 1, nc + 1), np.int64)   # [gold + 1, vendor + 1], 0: none
    total = correct = 0
    for name, gimg in gimgs.items():
        g = labels(gimg, gnamed, index)
        if name in vimgs:
            v = labels(vimgs[name], vnamed, index)
            if v.shape != g.shape:
                print("left out (sizes differ): " + name, file=sys.stderr)
                continue
        elif a.count_missing:
            v = np.full(g.shape, -1, dtype=np.int64)
        else:
            continue
        for k in range(nc):
            gk, vk = g == k, v == k
            inter[k] += np.count_nonzero(gk & vk)
            union[k] += np.count_nonzero(gk | vk)
            gold[k] += np.count_nonzero(gk)
            vendor[k] += np.count_nonzero(vk)
        np.add.at(conf, (g.ravel() + 1, v.ravel() + 1), 1)
        total += g.size
        correct += int(np.count_nonzero(g == v))
    per_class, ious = {}, []
    for k, n in enumerate(classes):
        iou = float(inter[k] / union[k]) if union[k] else None
        if iou is not None:
            ious.append(iou)
        per_class[n] = {"iou": iou, "intersection": int(inter[k]), "union": int(union[k]),
                        "gold": int(gold[k]), "vendor": int(vendor[k])}
    names = ["(none)"] + classes
    confusion = {}
    for gi in range(nc + 1):
        for vi in range(nc + 1):
            if conf[gi, vi]:
                confusion.setdefault(names[gi], {})[names[vi]] = int(conf[gi, vi])
    out = {"per_class": per_class, "mean_iou": float(np.mean(ious)) if ious else None,
           "pixel_accuracy": correct / total if total else None, "pixels": total, "correct": correct,
           "confusion": confusion}
    json.dump(out, sys.stdout, indent=1, sort_keys=True)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
