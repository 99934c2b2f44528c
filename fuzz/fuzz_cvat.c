/* libFuzzer target: the CVAT XML reader. The input is annotations.xml. */
#include <stddef.h>
#include <stdint.h>

#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  fuzz_fresh_dir();
  const char *p = fuzz_write("annotations.xml", data, size);
  fuzz_read_format("cvat", p);
  return 0;
}
