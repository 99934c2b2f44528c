/* The files compiled into the binary by tools/embed.sh (Lua library, scorecards, report assets). */
#ifndef ANNOVET_EMBED_H
#define ANNOVET_EMBED_H

#include <stddef.h>

typedef struct EmbeddedFile {
  const char *path;            /* relative to the source tree, e.g. "lua/annovet/cli.lua" */
  const unsigned char *data;   /* NUL-terminated for convenience; len excludes the NUL */
  size_t len;
} EmbeddedFile;

extern const EmbeddedFile embedded_files[];   /* ends with {0, 0, 0} */
extern const char annovet_version[];
extern const char annovet_commit[];

#endif
