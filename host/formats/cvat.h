/* CVAT for images / video XML 1.1: the parts of the format shared by its reader
 * (cvat_read.c) and writer (cvat_write.c). */
#ifndef ANNOVET_CVAT_H
#define ANNOVET_CVAT_H

#include "formats.h"
#include "model.h"

/* Writes d as one "CVAT for images 1.1" XML file at path. */
int cvat_write(const Dataset *d, const char *path, Diag *g, Err *e);

/* A skeleton's edges from its <svg>: circles name their node (data-node-id,
 * data-label-name), lines join two nodes (data-node-from, data-node-to). Edges
 * become 0-based pairs of indices into names (n keypoint names from sp);
 * unknown nodes are skipped. *out is malloc'd (NULL when there are none). */
int cvat_svg_edges(const StrPool *sp, const char *svg, const StrId *names, uint32_t n, int32_t **out,
                   uint32_t *nout, Err *e);

/* CVAT's <mask rle> (runs over the box left, top, width, height in box4, row by
 * row, from 0s) as a COCO RLE over the W x H image (malloc'd), with the set
 * pixels' count and box (bbox left as it is when none are set). */
int cvat_mask_rle(const char *rle, const uint32_t box4[4], uint32_t W, uint32_t H, uint32_t **cnts,
                  size_t *ncnts, uint64_t *area, double bbox[4], Err *e);

/* The 16 corner attributes of <cuboid>, in the model's order. */
extern const char *const cvat_cuboid_keys[16];

#endif
