/* Output staged under a temporary name beside the target and renamed into place by
 * staged_commit, so a failed write leaves nothing half-written. A folder target
 * must not exist yet (or be an empty directory). While a script runs
 * (confine.h), nothing is staged outside the folder it may write in: for that
 * folder itself, the stage is a hidden folder inside it, whose entries
 * staged_commit moves up. */
#ifndef ANNOVET_STAGED_H
#define ANNOVET_STAGED_H

#include <stdio.h>

#include "err.h"

typedef struct Staged {
  char *final;
  char *tmp;
  int is_dir;
  int inside;     /* tmp is inside final, not beside it */
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
