/* libFuzzer target: the COCO reader (instances, keypoints and results files),
 * through coco_read_text on a NUL-terminated copy of the input, as coco_read
 * hands it the file it slurped. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "coco.h"
#include "formats.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  char *text = malloc(size + 1);
  if (!text) return 0;
  memcpy(text, data, size);
  text[size] = '\0';
  Err e = {0};
  Diag g;
  memset(&g, 0, sizeof g);
  Dataset *d = dataset_new(&e);
  if (!d) abort();
  if (coco_read_text("fuzz.json", text, size, d, &g, &e) != 0 && !e.msg[0]) abort();
  dataset_free(d);
  free(text);
  return 0;
}
