/* Semantic masks as PNG label images (libpng): pixel values are class ids. Reads
 * and writes the images, splits one into a COCO RLE per class present, and
 * paints RLE masks back. Only what label images need; the mask API (area, IoU,
 * merge) is host/rle.c's. */
#ifndef ANNOVET_PNGMASK_H
#define ANNOVET_PNGMASK_H

#include <stdint.h>
#include <stdio.h>

#include "err.h"

/* Largest label image read or written (pixels). */
#define PNGMASK_MAX_PIXELS ((uint64_t)1 << 28)

/* Reads a label image: gray (1..16 bits: the value), palette (the index), or
 * RGB(A) whose channels are all equal (the value); any other colour is an error
 * naming the pixel. *px is malloc'd, w*h values row by row. */
int pngmask_read(const char *path, uint16_t **px, uint32_t *w, uint32_t *h, Err *e);

/* Writes px as an 8-bit gray PNG, or 16-bit when a value is over 255. name is
 * for messages. */
int pngmask_write(FILE *f, const char *name, const uint16_t *px, uint32_t w, uint32_t h, Err *e);

/* One class of a label image. */
typedef struct MaskClass {
  uint16_t value;
  uint32_t *cnts;     /* COCO RLE: column-major runs, starting with 0s (malloc'd) */
  size_t ncnts;
  uint64_t area;      /* pixels */
  double bbox[4];     /* x, y, w, h of the pixels, pixel-inclusive as pycocotools' toBbox */
} MaskClass;

/* Splits the image into one MaskClass per value present, by increasing value, in
 * a single column-major pass. */
int pngmask_split(const uint16_t *px, uint32_t w, uint32_t h, MaskClass **out, size_t *n, Err *e);
void pngmask_free(MaskClass *c, size_t n);

/* Sets px to value where the COCO RLE (h x w) is 1; pixels already set in
 * painted (one byte per pixel, or NULL) are counted in *overlap and painted over.
 * Fails when the runs do not add up to w*h. */
int pngmask_paint(uint16_t *px, uint8_t *painted, uint32_t w, uint32_t h, const uint32_t *cnts,
                  size_t m, uint16_t value, uint64_t *overlap, Err *e);

#endif
