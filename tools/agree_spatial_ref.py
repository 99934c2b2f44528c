#!/usr/bin/env python3
"""Independent reference for `annovet agree --from-annotations` on boxes.

Reads a COCO file whose annotations carry "annotator" (the format
tools/gen_compare.lua --panel writes), clusters the boxes of each image the way
annovet documents it (annotators in order of first appearance; each one's boxes
matched one-to-one, class-agnostic, to the image's clusters so far by
scipy.optimize.linear_sum_assignment on the mean IoU with the cluster's members,
pairs at or above the threshold kept; the rest start clusters), then computes:
  - Krippendorff's alpha (nominal) of the class labels with fast-krippendorff,
    an annotator who annotated the image but has no box in a cluster rating it
    "(none)" (--unmatched none) or not at all (--unmatched missing);
  - Fleiss' kappa of the same labels with statsmodels (complete data only);
  - alpha with distance 1 - IoU over the clustered boxes with fast-krippendorff
    and a callable distance (each box its own value).

With --iou-type segm the shapes are masks instead: each annotation's
segmentation made a mask at its image's size by pycocotools' mask API (found
under --pycocotools DIR: frPyObjects, merge, decode, as COCO.annToRLE), and
IoU counted with numpy on the decoded pixels. Masks of images of different
sizes are compared in a frame that holds both, each at the top-left corner
with zeros around (the IoU of the pixel sets in image coordinates).

  /usr/bin/python3 tools/agree_spatial_ref.py FILE.json [--iou 0.5]
      [--iou-type bbox|segm] [--pycocotools DIR]
      [--krippendorff DIR]   (DIR holds fast-krippendorff's source)

Prints JSON: {"none": {"alpha", "fleiss"}, "missing": {"alpha"}, "alpha_iou",
"clusters", "units_iou", "pairable_iou"}.
"""
import argparse
import json
import sys

import numpy as np
from scipy.optimize import linear_sum_assignment


def iou(a, b):
    x1, y1 = max(a[0], b[0]), max(a[1], b[1])
    w = min(a[0] + a[2], b[0] + b[2]) - x1
    h = min(a[1] + a[3], b[1] + b[3]) - y1
    if w <= 0 or h <= 0:
        return 0.0
    i = w * h
    return i / (a[2] * a[3] + b[2] * b[3] - i)


def masks_of(d, pycocotools):
    """Decoded mask (bool, h x w) of every annotation id, as COCO.annToRLE."""
    if pycocotools:
        sys.path.insert(0, pycocotools)
    from pycocotools import mask as mask_utils
    size = {im["id"]: (im["height"], im["width"]) for im in d["images"]}
    out = {}
    for x in d["annotations"]:
        h, w = size[x["image_id"]]
        seg = x["segmentation"]
        if isinstance(seg, list):
            rle = mask_utils.merge(mask_utils.frPyObjects(seg, h, w))
        elif isinstance(seg["counts"], list):
            rle = mask_utils.frPyObjects(seg, h, w)
        else:
            rle = seg
        out[x["id"]] = mask_utils.decode(rle).astype(bool)
    return out


def mask_iou(p, q):
    """IoU of two masks, placed at the top-left of a frame holding both."""
    h, w = max(p.shape[0], q.shape[0]), max(p.shape[1], q.shape[1])
    a = np.zeros((h, w), bool)
    b = np.zeros((h, w), bool)
    a[:p.shape[0], :p.shape[1]] = p
    b[:q.shape[0], :q.shape[1]] = q
    u = np.count_nonzero(a | b)
    return np.count_nonzero(a & b) / u if u else 0.0


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("file")
    ap.add_argument("--iou", type=float, default=0.5)
    ap.add_argument("--iou-type", choices=("bbox", "segm"), default="bbox")
    ap.add_argument("--pycocotools")
    ap.add_argument("--krippendorff")
    a = ap.parse_args()
    if a.krippendorff:
        sys.path.insert(0, a.krippendorff)
    import krippendorff
    from statsmodels.stats.inter_rater import aggregate_raters, fleiss_kappa

    d = json.load(open(a.file))
    if a.iou_type == "segm":
        masks = masks_of(d, a.pycocotools)

        def sim(x, y):
            return mask_iou(masks[x["id"]], masks[y["id"]])
    else:
        def sim(x, y):
            return iou(x["bbox"], y["bbox"])
    cat = {c["id"]: c["name"] for c in d["categories"]}
    order = []
    for x in d["annotations"]:
        if x.get("annotator") is not None and x["annotator"] not in order:
            order.append(x["annotator"])
    rank = {w: k for k, w in enumerate(order)}
    by_img = {}
    for x in d["annotations"]:
        by_img.setdefault(x["image_id"], []).append(x)
    clusters = []          # list of (image, {annotator: annotation})
    seen = {}              # image -> annotators with an annotation on it
    for im in d["images"]:
        anns = by_img.get(im["id"], [])
        seen[im["id"]] = set(x["annotator"] for x in anns if x.get("annotator") is not None)
        usable = [x for x in anns if x.get("annotator") is not None and not x.get("iscrowd", 0)]
        mine = []
        for w in sorted(set(x["annotator"] for x in usable), key=lambda w: rank[w]):
            rows = [x for x in usable if x["annotator"] == w]
            S = np.zeros((len(rows), len(mine)))
            for r, x in enumerate(rows):
                for c, cl in enumerate(mine):
                    S[r, c] = np.mean([sim(x, m) for m in cl.values()])
            assigned = {}
            if len(rows) and len(mine):
                rr, cc = linear_sum_assignment(np.where(S >= a.iou, -S, 0.0))
                for r, c in zip(rr, cc):
                    if S[r, c] >= a.iou:
                        assigned[r] = c
            for r, x in enumerate(rows):
                if r in assigned:
                    mine[assigned[r]][w] = x
                else:
                    mine.append({w: x})
        clusters += [(im["id"], cl) for cl in mine]

    out = {"clusters": len(clusters)}
    for mode in ("none", "missing"):
        data = []
        for img, cl in clusters:
            row = []
            for w in order:
                if w in cl:
                    row.append(cat[cl[w]["category_id"]])
                elif mode == "none" and w in seen[img]:
                    row.append("(none)")
                else:
                    row.append("nan")
            data.append(row)
        rel = np.array(data, dtype=object).T.astype(str)
        res = {"alpha": float(krippendorff.alpha(reliability_data=rel, level_of_measurement="nominal"))}
        if mode == "none" and all("nan" not in r for r in data):
            labels = sorted(set(v for r in data for v in r))
            codes = np.array([[labels.index(v) for v in r] for r in data])
            res["fleiss"] = float(fleiss_kappa(aggregate_raters(codes)[0]))
        out[mode] = res

    # alpha with 1 - IoU: pairable clusters, every shape its own value
    shapes, units = [], []
    for img, cl in clusters:
        if len(cl) >= 2:
            units.append([len(shapes) + k for k in range(len(cl))])
            shapes += list(cl.values())
    n = len(shapes)
    D = np.zeros((n, n))
    for i in range(n):
        for j in range(i + 1, n):
            D[i, j] = D[j, i] = 1 - sim(shapes[i], shapes[j])
    rel = np.full((len(order), len(units)), np.nan)
    for u, members in enumerate(units):
        for k, v in enumerate(members):
            rel[k, u] = v

    def dist(v1, v2, i1, i2, n_v, dtype=np.float64):
        return D[np.asarray(v1, dtype=int), np.asarray(v2, dtype=int)].astype(dtype)

    out["alpha_iou"] = float(krippendorff.alpha(reliability_data=rel, value_domain=np.arange(n),
                                                level_of_measurement=dist))
    out["units_iou"] = len(units)
    out["pairable_iou"] = n
    json.dump(out, sys.stdout, indent=1, sort_keys=True)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
