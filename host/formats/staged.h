/* Output staged under a temporary name beside the target and renamed into place by
 * staged_commit, so a failed write leaves nothing half-written. A folder target
 * must not exist yet (or be an empty directory). */
#ifndef ANNOVET_STAGED_H
#define ANNOVET_STAGED_H

#include <stdio.h>

#include "err.h"

typedef struct Staged {
  char *final;
  char *tmp;
  int is_dir;
} Staged;

int staged_begin(Staged *o, const char *path, int is_dir, Err *e);
/* Opens rel (a path inside the folder, parents created) for writing, or the
 * staged file itself when rel is NULL. */
FILE *staged_open(Staged *o, const char *rel, Err *e);
/* fclose that reports a write error as "path: ..." in e. */
int staged_close(FILE *f, const char *path, Err *e);
int staged_commit(Staged *o, Err *e);
/* Removes what was staged; safe after a commit or a failed begin. */
void staged_abort(Staged *o);

#endif
