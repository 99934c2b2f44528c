/* Image size from a file's header (PNG, JPEG, BMP, GIF, WebP), without decoding
 * pixels, for formats whose coordinates are relative to the image (YOLO). */
#ifndef ANNOVET_IMAGE_SIZE_H
#define ANNOVET_IMAGE_SIZE_H

#include <stdint.h>

/* Width and height as displayed: a JPEG whose EXIF orientation turns it by 90
 * degrees (5..8) has them swapped, as Ultralytics and OpenCV do. Returns 0, or
 * -1 when the file cannot be opened or its header is not one of the above. */
int image_size_read(const char *path, int32_t *w, int32_t *h);

#endif
