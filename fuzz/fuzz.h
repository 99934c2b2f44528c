/* What the fuzz targets share: a scratch folder per process, an input cut into
 * files, and a reader run from a path with everything it made freed. */
#ifndef ANNOVET_FUZZ_H
#define ANNOVET_FUZZ_H

#include <stddef.h>
#include <stdint.h>

/* The line that cuts one input into several files (folder formats). */
#define FUZZ_CUT "\n--8<--\n"

/* The scratch folder of this process (made on first use, removed at exit), emptied:
 * each run starts from nothing. Aborts when the folder cannot be made. */
const char *fuzz_fresh_dir(void);

/* Writes n bytes at rel (a path inside the scratch folder, parent folders made).
 * Returns the full path in a static buffer. Aborts on a write error. */
const char *fuzz_write(const char *rel, const uint8_t *p, size_t n);

/* Cuts data at each FUZZ_CUT and writes the k-th piece to names[k] (k < nnames;
 * the rest of the input goes into the last name; an empty piece writes no file). Pieces named by a name ending
 * in ".png" get their chunk CRCs recomputed first (fuzz_png_fix), so mutations
 * reach the image data instead of stopping at a checksum. Returns the number of
 * files written. */
size_t fuzz_write_parts(const uint8_t *data, size_t size, const char *const *names, size_t nnames);

/* Recomputes the CRC of every whole chunk of a PNG in place (p starts with the
 * signature; otherwise nothing changes). */
void fuzz_png_fix(uint8_t *p, size_t n);

/* Reads path with the registered format fmt (as `annovet inspect --from fmt`:
 * format_read, then the UTF-8 check), frees the dataset. Returns the reader's
 * result. Aborts when a failing reader leaves no message: every failure must
 * say what was wrong. */
int fuzz_read_format(const char *fmt, const char *path);

#endif
