/* libFuzzer target: the Pascal VOC folder reader. The input is cut at each line
 * "--8<--" into the files below, in order (fuzz/README.md), and the folder d is
 * read. */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The files the pieces go to, in order; fuzz/unpack.lua lists the same. */
static const char *const names[] = {
  "d/Annotations/a.xml", "d/labelmap.txt", "d/ImageSets/Main/train.txt",
  "d/SegmentationClass/a.png", "d/Annotations/sub/b.xml",
};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  const char *dir = fuzz_fresh_dir();
  fuzz_write_parts(data, size, names, sizeof names / sizeof *names);
  char path[4200];
  snprintf(path, sizeof path, "%s/d", dir);
  fuzz_read_format("voc", path);
  return 0;
}
