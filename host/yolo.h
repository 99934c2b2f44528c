/* YOLO TXT: what the reader (fmt_yolo.c) and writer (yolo_write.c) share. */
#ifndef ANNOVET_YOLO_H
#define ANNOVET_YOLO_H

#include "formats.h"
#include "model.h"

/* Writes d as an Ultralytics-layout folder: data.yaml, labels/[subset/]*.txt and
 * an image list per subset; what YOLO does not hold is warned in g. */
int yolo_write(const Dataset *d, const char *path, Diag *g, Err *e);

/* 1 when name ends in an image extension Ultralytics reads. */
int yolo_is_image(const char *name);

#endif
