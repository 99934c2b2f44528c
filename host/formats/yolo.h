/* YOLO TXT: what the reader (yolo_read.c) and writer (yolo_write.c) share. */
#ifndef ANNOVET_YOLO_H
#define ANNOVET_YOLO_H

#include "folder.h"
#include "formats.h"
#include "model.h"

/* Writes d as an Ultralytics-layout folder: data.yaml, labels/[subset/]*.txt and
 * an image list per subset; what YOLO does not hold is warned in g. */
int yolo_write(const Dataset *d, const char *path, Diag *g, Err *e);

/* 1 when name ends in an image extension Ultralytics reads. */
int yolo_is_image(const char *name);

/* Reads the image lists (paths in root, as data.yaml or obj.data give them:
 * "./x" lines beside the list, Darknet's "data/x" in root) and adds to absent,
 * sorted and once each, the images they name that are not among all (root's
 * files, sorted). Lists outside root or missing are passed over; the found
 * ones are rewritten in lists as paths in root, so they are not taken for
 * label files. A name that is not UTF-8 is an error naming list:line. */
int yolo_read_lists(const char *root, FolderList *lists, const FolderList *all, FolderList *absent, Err *e);

#endif
