/* Pascal VOC: what the reader (voc_read.c) and writer (voc_write.c) share. */
#ifndef ANNOVET_VOC_H
#define ANNOVET_VOC_H

#include "formats.h"
#include "model.h"

/* Writes d as a VOC folder at path (see voc_write.c). */
int voc_write(const Dataset *d, const char *path, Diag *g, Err *e);

#endif
