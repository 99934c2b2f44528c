/* Class lists beside label files: datumaro/VOC labelmap.txt
 * ("name:r,g,b:parts:actions", '#' comments) and plain classes.txt / obj.names
 * (one name per line). The position of a class is its pixel value in label
 * images, except VOC's "ignored", which is 255. */
#ifndef ANNOVET_LABELMAP_H
#define ANNOVET_LABELMAP_H

#include <stdint.h>
#include <stdio.h>

#include "err.h"

typedef struct LabelEntry {
  char *name;
  char *parts;        /* comma-separated, as written (labelmap only), or "" */
  char *actions;      /* same */
  int value;          /* pixel value */
  int has_color;
  uint8_t rgb[3];
} LabelEntry;

typedef struct LabelMap {
  LabelEntry *v;
  size_t n;
} LabelMap;

/* Reads a labelmap.txt (voc != 0) or a one-name-per-line list; an error names
 * file:line and what was expected; duplicate names are errors. Blank lines in a
 * plain list keep their position (a class without a name: no class there). */
int labelmap_read(const char *path, int voc, LabelMap *m, Err *e);
void labelmap_free(LabelMap *m);

/* The entry named name, or -1. */
int labelmap_find(const LabelMap *m, const char *name);
/* The entry with this pixel value, or -1. */
int labelmap_by_value(const LabelMap *m, int value);

/* The Pascal VOC colour of class index i (the devkit's bit-interleaving map). */
void labelmap_voc_color(int i, uint8_t rgb[3]);

/* The 21 Pascal VOC classes and "ignored" (255), as datumaro's default map. */
int labelmap_voc_default(LabelMap *m, Err *e);

#endif
