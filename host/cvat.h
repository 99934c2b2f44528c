/* CVAT for images / video XML 1.1: the parts of the format shared by its reader
 * (fmt_cvat.c) and writer (cvat_write.c). */
#ifndef ANNOVET_CVAT_H
#define ANNOVET_CVAT_H

#include "formats.h"
#include "model.h"

/* Writes d as one "CVAT for images 1.1" XML file at path. */
int cvat_write(const Dataset *d, const char *path, Diag *g, Err *e);

/* The 16 corner attributes of <cuboid>, in the model's order. */
extern const char *const cvat_cuboid_keys[16];

#endif
