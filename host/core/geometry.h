/* Geometry for scoring annotations against a gold panel, on plain arrays: boxes,
 * rotated boxes, polygons, keypoints (OKS), polylines, cuboids, text, tags and
 * semantic masks. Knows neither the model nor Lua. Every similarity here is
 * computed per pair, with no allocation, so a matcher can call it per item and
 * class on compact arrays; masks use rle.h. */
#ifndef ANNOVET_GEOMETRY_H
#define ANNOVET_GEOMETRY_H

#include <stddef.h>
#include <stdint.h>

#include "err.h"
#include "rle.h"

/* ---- axis-aligned boxes: x, y, w, h in continuous coordinates (COCO, no +1) ---- */

/* IoU of a detection box with a gold box; for a crowd gold box, the
 * intersection over the detection's area (pycocotools bbIou). 0 when they do
 * not overlap. */
double geom_box_iou(const double dt[4], const double gt[4], int crowd);

/* The nd x ng matrix of geom_box_iou, o[d * ng + g]; crowd (one flag per gold
 * box) may be NULL. */
void geom_box_iou_matrix(const double *dt, size_t nd, const double *gt, size_t ng,
                         const uint8_t *crowd, double *o);

/* ---- polygons ---- */

/* Area of a simple polygon of n points (x0 y0 x1 y1 ...), by the shoelace
 * formula; positive whatever the orientation. */
double geom_polygon_area(const double *xy, size_t n);

/* Convex hull of n points (x y ...; sorted in place) into hull (room for n + 1
 * points), counter-clockwise in y-up terms, without collinear points (Andrew's
 * monotone chain). Returns the number of hull points. */
size_t geom_convex_hull(double *xy, size_t n, double *hull);

/* Area of the intersection of two convex polygons (any orientation; at most
 * GEOM_CLIP_MAX points each), by Sutherland-Hodgman clipping. */
#define GEOM_CLIP_MAX 64
double geom_convex_intersection(const double *p, size_t np, const double *q, size_t nq);

/* IoU of two convex polygons: intersection over union of their areas; 0 when
 * the union is empty. */
double geom_convex_iou(const double *p, size_t np, const double *q, size_t nq);

/* ---- rotated boxes: cx, cy, w, h, angle in degrees, clockwise on screen (y down) ---- */

/* The corners of a rotated box, in order around it: the box's (-w/2, -h/2),
 * (w/2, -h/2), (w/2, h/2), (-w/2, h/2) turned by the angle about the centre. */
void geom_rbox_corners(const double rb[5], double xy[8]);

/* IoU of two rotated boxes by exact polygon intersection. */
double geom_rbox_iou(const double a[5], const double b[5]);

/* ---- keypoints ---- */

/* COCO's 17 person keypoint sigmas (COCOeval Params.kpt_oks_sigmas). */
extern const double geom_coco_sigmas[17];

/* Keypoints per instance geom_oks accepts. */
#define GEOM_KP_MAX 1024

/* Sum of n numbers in numpy's order (np.sum of a float64 array: blocks of 8192,
 * each summed pairwise with 8-way unrolled leaves of up to 128), so means equal
 * np.mean to the last bit. */
double geom_sum(const double *a, size_t n);

/* COCOeval.computeOks for one pair: dt and gt hold k keypoints (x y v each),
 * sigmas k per-keypoint sigmas; garea and gbb the gold area and box. With no
 * labelled gold keypoint (v > 0), distances are measured to the gold box doubled
 * around itself, as pycocotools does. 0 when k is 0 or over GEOM_KP_MAX. */
double geom_oks(const double *dt, const double *gt, size_t k, const double *sigmas,
                double garea, const double gbb[4]);

/* ---- polylines (lanes) ---- */

/* Rasterises a polyline of n points (x y ...) as a band of the given width: a
 * pixel (column x, row y, covering [x, x+1) x [y, y+1)) belongs to the band when
 * its centre (x + .5, y + .5) is within width / 2 of a segment (round caps and
 * joins), as CULane draws lanes. The mask is h x w pixels whose top-left corner
 * is at (ox, oy) in the polyline's coordinates. */
int geom_polyline_rle(const double *xy, size_t n, double width, double ox, double oy,
                      uint32_t h, uint32_t w, Rle *r, Err *e);

/* The integer-aligned window (ox, oy, w, h) holding both bands of width `width`,
 * for geom_polyline_rle when the image size is unknown. */
void geom_polyline_window(const double *a, size_t na, const double *b, size_t nb,
                          double width, double win[4]);

/* Symmetric Chamfer distance: the mean distance from each point of a to the
 * polyline b, and from each point of b to a, averaged. With step > 0 each line
 * is first resampled every `step` along its length (ends kept); step <= 0 uses
 * the vertices. A pair matches when it is at or below the caller's threshold. */
double geom_chamfer(const double *a, size_t na, const double *b, size_t nb, double step);

/* ---- cuboids ---- */

/* IoU of the convex hulls of two cuboids' 8 projected corners (16 numbers). */
double geom_cuboid_iou2d(const double a[16], const double b[16]);

/* 3D IoU of two boxes cx cy cz l w h yaw: z is up, the footprint is the l x w
 * rectangle about (cx, cy) turned by yaw (radians, counter-clockwise, length
 * along x at yaw 0), the box spans cz - h/2 .. cz + h/2. Exact: the footprints'
 * intersection area times the vertical overlap. */
double geom_cuboid_iou3d(const double a[7], const double b[7]);

/* ---- text ---- */

/* Levenshtein distance between ref and hyp (UTF-8) over code points, or over
 * words (split on whitespace as Python's str.split()) when words is set. Bytes
 * that are not valid UTF-8 count as one symbol each. *nref gets the reference's
 * length in the same units, so CER/WER = dist / nref. */
int geom_edit_distance(const char *ref, size_t nref_bytes, const char *hyp, size_t nhyp_bytes,
                       int words, size_t *dist, size_t *nref, Err *e);

/* ---- tags ---- */

/* Per-label counts of multi-label tagging: gold pairs (g_item[i], g_label[i])
 * and vendor pairs (v_item, v_label), items < nitems, labels < nlabels
 * (duplicates count once). Adds into tp, fp, fn (nlabels each); *exact gets the
 * number of items 0..nitems-1 whose two label sets are equal. */
int geom_tag_counts(const uint32_t *g_item, const uint32_t *g_label, size_t ng,
                    const uint32_t *v_item, const uint32_t *v_label, size_t nv,
                    uint32_t nitems, uint32_t nlabels, uint64_t *tp, uint64_t *fp,
                    uint64_t *fn, uint64_t *exact, Err *e);

/* ---- semantic masks ---- */

/* Per-class pixel intersection and union of a gold and a predicted semantic
 * mask given as one RLE per class (ncls each, all the same size). The IoU of
 * class c is inter[c] / uni[c] (undefined when uni[c] is 0); the mean IoU is
 * taken over the classes with uni[c] > 0. */
int geom_semantic_iou(const Rle *gold, const Rle *pred, size_t ncls, uint64_t *inter,
                      uint64_t *uni, Err *e);

#endif
