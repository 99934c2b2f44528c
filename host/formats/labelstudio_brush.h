/* Label Studio's brush masks: the rle-pack bit stream (thi.ng/umbrella, as in
 * label-studio-converter's brush.py) of a flattened RGBA image, whose alpha
 * channel is the mask, to and from COCO's column-major runs. */
#ifndef ANNOVET_LABELSTUDIO_BRUSH_H
#define ANNOVET_LABELSTUDIO_BRUSH_H

#include <stddef.h>
#include <stdint.h>

#include "err.h"

/* Decodes n bytes of a brush stream for a w x h image into malloc'd COCO runs
 * (column-major, starting with 0s) of the pixels whose alpha is not 0. */
int labelstudio_brush_decode(const uint8_t *bytes, size_t n, uint32_t w, uint32_t h, uint32_t **runs,
                   size_t *nruns, Err *e);

/* Encodes COCO runs of an h x w mask as a brush stream (mask pixels RGBA 255,
 * others 0; word size 8, run sizes 3, 4, 8, 16 bits, as brush.py's mask2rle). */
int labelstudio_brush_encode(const uint32_t *runs, size_t nruns, uint32_t h, uint32_t w, uint8_t **bytes,
                   size_t *n, Err *e);

#endif
