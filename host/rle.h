/* Run-length encoded masks, COCO's layout: column-major runs starting with 0s.
 * The codec of COCO's compressed "counts" strings lives here; the mask API
 * (encode, decode, merge, area, IoU, polygons) grows beside it. */
#ifndef ANNOVET_RLE_H
#define ANNOVET_RLE_H

#include <stddef.h>
#include <stdint.h>

#include "err.h"

/* Decodes a COCO compressed counts string (pycocotools rleFrString: 6 bits per
 * char, offset 48, runs after the second stored as differences) into a malloc'd
 * array. Rejects characters outside '0'..'o', a string that ends mid-number, and
 * runs that are negative or over 2^32 - 1. */
int rle_from_string(const char *s, size_t len, uint32_t **cnts, size_t *m, Err *e);

/* Encodes counts as a compressed string (pycocotools rleToString), malloc'd and
 * NUL-terminated; NULL with e set when out of memory. */
char *rle_to_string(const uint32_t *cnts, size_t m, Err *e);

#endif
