#!/usr/bin/env python3
"""Independent per-class counts for `annovet compare`, to check its matching.

Reads a gold and a vendor COCO instances file with the json module, pairs images
by file name (then basename) and classes by name, and per image and class finds
the one-to-one assignment that maximises the total IoU of the pairs at or above
the threshold with scipy.optimize.linear_sum_assignment (cost -IoU for eligible
pairs, 0 otherwise). Box IoU is computed here with numpy (COCO's continuous
coordinates); segm IoU with pycocotools' mask API (frPyObjects at the image size,
merge, iou), found under --pycocotools DIR. Gold iscrowd regions are never
missed, and a vendor annotation whose intersection over its own area with a
crowd region of its class reaches the threshold is ignored; vendor annotations
marked iscrowd are left out. Images the vendor does not deliver, or whose sizes
differ, are left out.

  /usr/bin/python3 tools/compare_ref.py GOLD.json VENDOR.json [--iou 0.5]
      [--iou-type bbox|segm] [--pycocotools DIR]

Prints {"class": {"tp": n, "fp": n, "fn": n, "ignored": n}, ...} as JSON.
"""
import argparse
import json
import os
import sys

import numpy as np
from scipy.optimize import linear_sum_assignment


def box_iou(d, g, crowd):
    """pycocotools bbIou: d (n, 4), g (m, 4) as x y w h; crowd (m,) bools."""
    d = np.asarray(d, dtype=float).reshape(-1, 4)
    g = np.asarray(g, dtype=float).reshape(-1, 4)
    iw = np.minimum(d[:, None, 0] + d[:, None, 2], g[None, :, 0] + g[None, :, 2]) - np.maximum(d[:, None, 0], g[None, :, 0])
    ih = np.minimum(d[:, None, 1] + d[:, None, 3], g[None, :, 1] + g[None, :, 3]) - np.maximum(d[:, None, 1], g[None, :, 1])
    inter = np.where((iw > 0) & (ih > 0), iw * ih, 0.0)
    da = (d[:, 2] * d[:, 3])[:, None]
    ga = (g[:, 2] * g[:, 3])[None, :]
    union = np.where(np.asarray(crowd, dtype=bool)[None, :], da, da + ga - inter)
    with np.errstate(invalid="ignore", divide="ignore"):
        out = np.where(inter > 0, inter / union, 0.0)
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("gold")
    ap.add_argument("vendor")
    ap.add_argument("--iou", type=float, default=0.5)
    ap.add_argument("--iou-type", default="bbox", choices=["bbox", "segm"])
    ap.add_argument("--pycocotools")
    a = ap.parse_args()
    mask = None
    if a.iou_type == "segm":
        if a.pycocotools:
            sys.path.insert(0, a.pycocotools)
        from pycocotools import mask  # noqa: F811

    gold = json.load(open(a.gold))
    vend = json.load(open(a.vendor))
    gcat = {c["id"]: c["name"] for c in gold["categories"]}
    vcat = {c["id"]: c["name"] for c in vend["categories"]}
    gimg = {im["id"]: im for im in gold["images"]}
    by_file = {}
    by_base = {}
    for im in gold["images"]:
        by_file[im["file_name"]] = im["id"]
        b = os.path.basename(im["file_name"])
        by_base[b] = None if b in by_base else im["id"]
    v2g = {}
    taken = set()
    for rule in (lambda f: by_file.get(f), lambda f: by_base.get(os.path.basename(f))):
        for im in vend["images"]:
            if im["id"] in v2g:
                continue
            g = rule(im["file_name"])
            if g is None or g in taken:
                continue
            gi = gimg[g]
            if (gi["width"], gi["height"]) != (im["width"], im["height"]):
                continue
            v2g[im["id"]] = g
            taken.add(g)

    def shape(ann, im):
        if a.iou_type == "bbox":
            return ann["bbox"]
        seg = ann.get("segmentation")
        h, w = im["height"], im["width"]
        if isinstance(seg, list) and seg:
            return mask.merge(mask.frPyObjects(seg, h, w))
        if isinstance(seg, dict):
            return mask.frPyObjects(seg, h, w)
        x, y, bw, bh = ann["bbox"]
        return mask.frPyObjects([[x, y, x, y + bh, x + bw, y + bh, x + bw, y]], h, w)[0]

    def iou(ds, gs, crowd):
        if not ds or not gs:
            return np.zeros((len(ds), len(gs)))
        if a.iou_type == "bbox":
            return box_iou(ds, gs, crowd)
        return np.asarray(mask.iou(ds, gs, [int(c) for c in crowd])).reshape(len(ds), len(gs))

    per_img_g = {}
    for ann in gold["annotations"]:
        per_img_g.setdefault(ann["image_id"], []).append(ann)
    per_img_v = {}
    for ann in vend["annotations"]:
        if ann.get("iscrowd", 0):
            continue
        g = v2g.get(ann["image_id"])
        if g is not None:
            per_img_v.setdefault(g, []).append(ann)

    counts = {}

    def cnt(name):
        return counts.setdefault(name, {"tp": 0, "fp": 0, "fn": 0, "ignored": 0})

    for g in taken:
        im = gimg[g]
        gs = per_img_g.get(g, [])
        vs = per_img_v.get(g, [])
        names = set(gcat[x["category_id"]] for x in gs) | set(vcat[x["category_id"]] for x in vs)
        for name in sorted(names):
            G = [x for x in gs if gcat[x["category_id"]] == name and not x.get("iscrowd", 0)]
            C = [x for x in gs if gcat[x["category_id"]] == name and x.get("iscrowd", 0)]
            D = [x for x in vs if vcat[x["category_id"]] == name]
            Ds = [shape(x, im) for x in D]
            M = iou(Ds, [shape(x, im) for x in G], [False] * len(G))
            matched_d = set()
            if len(D) and len(G):
                cost = np.where(M >= a.iou, -M, 0.0)
                rows, cols = linear_sum_assignment(cost)
                for r, c in zip(rows, cols):
                    if M[r, c] >= a.iou:
                        matched_d.add(r)
            s = cnt(name)
            s["tp"] += len(matched_d)
            s["fn"] += len(G) - len(matched_d)
            rest = [k for k in range(len(D)) if k not in matched_d]
            if rest and C:
                ioa = iou([Ds[k] for k in rest], [shape(x, im) for x in C], [True] * len(C))
                ign = int(np.sum(np.any(ioa >= a.iou, axis=1)))
            else:
                ign = 0
            s["ignored"] += ign
            s["fp"] += len(rest) - ign
    json.dump(counts, sys.stdout, sort_keys=True)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
