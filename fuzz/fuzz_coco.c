/* libFuzzer target: the COCO reader (instances, keypoints and results files),
 * through coco_read_text on a NUL-terminated copy of the input, as coco_read
 * hands it the file it slurped. An input of odd length is read against a small
 * ground truth (as `inspect --gt`, and cocoeval's results): its items and
 * categories are copied in first, so a results file's ids must name them. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "coco.h"
#include "formats.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char gt_text[] =
  "{\"images\": [{\"id\": 1, \"file_name\": \"a.jpg\", \"width\": 20, \"height\": 10},"
  " {\"id\": 2, \"file_name\": \"b.jpg\", \"width\": 5, \"height\": 10}],"
  " \"categories\": [{\"id\": 1, \"name\": \"car\"}, {\"id\": 2, \"name\": \"person\","
  " \"keypoints\": [\"nose\", \"eye\", \"ear\"], \"skeleton\": [[1, 2], [2, 3]]}],"
  " \"annotations\": []}";
static Dataset *gt;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  Err e = {0};
  Diag g;
  memset(&g, 0, sizeof g);
  if (!gt) {   /* read once; the process exits without freeing it */
    if (!(gt = dataset_new(&e)) || coco_read_text("gt.json", gt_text, sizeof gt_text - 1, gt, &g, &e) != 0)
      abort();
  }
  char *text = malloc(size + 1);
  if (!text) return 0;
  memcpy(text, data, size);
  text[size] = '\0';
  Dataset *d = dataset_new(&e);
  if (!d || ((size & 1) && dataset_copy_meta(d, gt, &e) != 0)) abort();
  if (coco_read_text("fuzz.json", text, size, d, &g, &e) != 0 && !e.msg[0]) abort();
  dataset_free(d);
  free(text);
  return 0;
}
