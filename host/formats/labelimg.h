/* Label images and the model: a PNG of class ids becomes one ANN_MASK per class
 * of an item, and an item's masks are painted back into one. Shared by the PNG
 * mask format and VOC's SegmentationClass. */
#ifndef ANNOVET_LABELIMG_H
#define ANNOVET_LABELIMG_H

#include <stdint.h>

#include "formats.h"
#include "labelmap.h"
#include "model.h"

/* Reads the label image at path as masks of item: one ANN_MASK (COCO RLE, with
 * its bbox and area) per pixel value present, of the category named by lm's
 * entry for that value (created when create_cats, else it must exist). Values
 * whose class is "background" or "ignored", and 0 and 255 when lm names no class
 * for them, are not annotations; any other value without a class is an error
 * naming the file. Annotation ids are taken from *next_id on. Without lm (NULL) every value but 0 and 255 is a class of
 * its own, named and numbered by the value. The item takes the image's size
 * when its own is unknown; a different size is an error. */
int labelimg_read_item(Dataset *d, const char *path, uint32_t item, const LabelMap *lm,
                       int create_cats, int64_t *next_id, Diag *g, Err *e);

/* Paints the ANN_MASK annotations among anns[0..n) into a label image of the
 * item's size (or the masks' size when the item's is unknown): value[cat] is a
 * category's pixel value (< 0: not paintable, dropped with a warning), bg the
 * value of pixels no mask covers. Later masks win where masks overlap (warned).
 * *px is NULL when none was painted. */
int labelimg_paint_item(const Dataset *d, const uint32_t *anns, uint32_t n, uint32_t item,
                        const int *value, uint16_t bg, uint16_t **px, uint32_t *w, uint32_t *h,
                        Diag *g, Err *e);

#endif
