/* Run-length encoded masks, COCO's layout: column-major runs starting with 0s.
 * The codec of COCO's compressed "counts" strings and the mask API of pycocotools
 * (common/maskApi.c): encode, decode, merge, area, IoU, toBbox, frBbox, frPoly,
 * with the same results, quirks included. Knows neither the model nor Lua. */
#ifndef ANNOVET_RLE_H
#define ANNOVET_RLE_H

#include <stddef.h>
#include <stdint.h>

#include "err.h"

/* One mask of h rows and w columns: m run lengths, alternating 0s and 1s, the
 * first a run of 0s (possibly empty), summing to h * w. cnts is malloc'd by the
 * functions below (free with rle_free); a caller may also point it at counts it
 * owns, as a read-only view. */
typedef struct Rle {
  uint32_t h, w;
  size_t m;
  uint32_t *cnts;
} Rle;

/* Largest mask the API accepts: h * w must fit the 32-bit run lengths. */
#define RLE_MAX_PIXELS 0xFFFFFFFFull

/* Decodes a COCO compressed counts string (pycocotools rleFrString: 6 bits per
 * char, offset 48, runs after the second stored as differences) into a malloc'd
 * array. Rejects characters outside '0'..'o', a string that ends mid-number, and
 * runs that are negative or over 2^32 - 1. */
int rle_from_string(const char *s, size_t len, uint32_t **cnts, size_t *m, Err *e);

/* Checks a compressed string as rle_from_string reads it, keeping nothing: the
 * run count into *m and the pixels they cover into *sum, or -1 with e set. */
int rle_string_check(const char *s, size_t len, size_t *m, uint64_t *sum, Err *e);

/* Encodes counts as a compressed string (pycocotools rleToString), malloc'd and
 * NUL-terminated; NULL with e set when out of memory. */
char *rle_to_string(const uint32_t *cnts, size_t m, Err *e);

/* Frees r's counts and empties it. */
void rle_free(Rle *r);

/* 0 when r is a well-formed mask (runs sum to h * w, h * w within
 * RLE_MAX_PIXELS); -1 with e saying what is wrong. The other functions assume it. */
int rle_check(const Rle *r, Err *e);

/* rleEncode: runs of a column-major h x w mask of bytes. As pycocotools, a new
 * run starts wherever a byte differs from the one before it (masks are 0/1). */
int rle_encode(const uint8_t *mask, uint32_t h, uint32_t w, Rle *r, Err *e);

/* rleDecode: fills mask (h * w bytes, column-major) with 0/1. -1 when the runs
 * overrun the mask; runs that fall short leave the rest 0. */
int rle_decode(const Rle *r, uint8_t *mask, Err *e);

/* rleMerge: union (intersect = 0) or intersection of n masks. Masks of different
 * sizes give an empty 0 x 0 mask, as pycocotools. */
int rle_merge(const Rle *rs, size_t n, int intersect, Rle *out, Err *e);

/* rleArea: the number of 1s. */
uint64_t rle_area(const Rle *r);

/* rleToBbox: x, y, w, h of the mask's pixels (0s for an empty mask), with
 * pycocotools' unsigned arithmetic (a mask whose 1-runs are all empty but which
 * has more than one run gets its odd box too). */
void rle_to_bbox(const Rle *r, double bb[4]);

/* rle_area, with the sum of all runs (h * w when well formed) in *sum. */
uint64_t rle_area_sum(const Rle *r, uint64_t *sum);

/* Pixels set in both a and b (same size): -1 with e set when their runs do not
 * cover the same pixels. */
int rle_intersection(const Rle *a, const Rle *b, uint64_t *n, Err *e);

/* rleIou: mask IoU of each of nd masks with each of ng, into o[d * ng + g], as
 * pycocotools: 0 where the masks' boxes do not overlap, -1 where the sizes differ
 * (and the boxes overlap), crowd gt scored as intersection over the detection's
 * area. -1 with e set when a pair's runs do not cover the same pixels. */
int rle_iou(const Rle *dt, size_t nd, const Rle *gt, size_t ng, const uint8_t *crowd,
            double *o, Err *e);

/* The IoU of one pair given their boxes and areas (from rle_to_bbox and
 * rle_area), for callers that compute those once per mask: the same number as
 * rle_iou. Returns 0 on success, -1 with e set on mismatched runs. */
int rle_iou_pair(const Rle *dt, const double dbb[4], uint64_t darea, const Rle *gt,
                 const double gbb[4], uint64_t garea, int crowd, double *iou, Err *e);

/* rleFrPoly: rasterises one polygon of k points (x0 y0 x1 y1 ...) at h x w the
 * way pycocotools does (boundary upsampled 5x, rounding as in maskApi.c).
 * Refuses non-finite coordinates and boundaries too long to rasterise. */
int rle_fr_poly(const double *xy, size_t k, uint32_t h, uint32_t w, Rle *r, Err *e);

/* rleFrBbox: the polygon of box x, y, w, h rasterised as rle_fr_poly. */
int rle_fr_bbox(const double bb[4], uint32_t h, uint32_t w, Rle *r, Err *e);

/* COCO.annToRLE of a polygon segmentation: nparts parts (part i has npts[i]
 * points, its numbers back to back in xy), each rasterised by rle_fr_poly, then
 * merged (union). pycocotools raises when the first part has 4 numbers or fewer
 * (it takes the list for boxes); here such parts are rasterised as polygons. */
int rle_fr_polygons(const double *xy, const uint32_t *npts, size_t nparts, uint32_t h,
                    uint32_t w, Rle *r, Err *e);

#endif
