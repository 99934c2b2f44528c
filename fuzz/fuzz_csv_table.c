/* libFuzzer target: the CSV tokenizer of rate cards and timesheets
 * (host/formats/csv_table.c). Every input either parses into records whose cells
 * lie inside the table's text, NUL-terminated, with lines that never go back, or
 * fails with a message; the checks of the cards' and timesheets' fields run in
 * Lua (lua/annovet/ratecard.lua, pricing.lua) on these cells. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "csv_table.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  Err e = {0};
  CsvTable *t = NULL;
  if (csv_table_parse((const char *)data, size, "fuzz.csv", &t, &e) != 0) {
    if (!e.msg[0] || strncmp(e.msg, "fuzz.csv", 8) != 0) abort();   /* a failure names the file */
    return 0;
  }
  uint32_t line = 0;
  for (size_t r = 0; r < t->nrecs; r++) {
    const CsvRecord *rec = &t->recs[r];
    if (rec->line < line || rec->first + rec->n > t->ncells) abort();
    line = rec->line;
    for (size_t c = rec->first; c < rec->first + rec->n; c++) {
      const CsvCell *cell = &t->cells[c];
      if (cell->off + cell->len >= t->text_len + 1 || t->text[cell->off + cell->len] != '\0') abort();
      if (cell->line < rec->line || cell->col == 0) abort();
    }
  }
  csv_table_free(t);
  return 0;
}
