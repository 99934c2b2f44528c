/* libFuzzer target: the Label Studio JSON reader. The input is the export file. */
#include <stddef.h>
#include <stdint.h>

#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  fuzz_fresh_dir();
  const char *p = fuzz_write("export.json", data, size);
  fuzz_read_format("labelstudio", p);
  return 0;
}
