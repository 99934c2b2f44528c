/* libFuzzer target: the tag CSV reader (item,annotator,label). The input is the CSV file. */
#include <stddef.h>
#include <stdint.h>

#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  fuzz_fresh_dir();
  const char *p = fuzz_write("tags.csv", data, size);
  fuzz_read_format("csv", p);
  return 0;
}
