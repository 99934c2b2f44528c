/* What a running user script may touch, in plain C so that the formats and the
 * core can ask without knowing Lua: the folders it may read and the one it may
 * write, and a budget for the C memory allocated on its behalf. The sandbox
 * binding (host/bind/l_sandbox.c) confines while a script runs; otherwise every
 * check passes. One script runs at a time and the settings do not change while
 * it runs, so reader threads may ask. */
#ifndef ANNOVET_CONFINE_H
#define ANNOVET_CONFINE_H

#include <dirent.h>
#include <stddef.h>
#include <stdio.h>

#include "err.h"

/* Asked with the bytes a C function is about to allocate: 0 when they fit the
 * script's budget, -1 when they do not. Must not call Lua (it may run in a
 * reader thread). */
typedef int (*ConfineBudget)(void *ud, size_t bytes);

/* Confines until confine_end: reads to the real paths of roots (those that do
 * not exist are skipped), writes to the real path of write_dir (NULL: none),
 * allocations to what budget allows (NULL: no budget). -1 with e set when
 * out of memory or write_dir cannot be resolved. */
int confine_begin(const char *const *roots, int nroots, const char *write_dir,
                  ConfineBudget budget, void *ud, Err *e);
void confine_end(void);
int confine_active(void);

/* The real path of the folder writes are confined to, or NULL. */
const char *confine_write_dir(void);

/* path with its spelling made plain, into out (strlen(path) + 2 bytes; may be
 * path itself): empty and "." components and trailing slashes dropped
 * ("out//a/./" is "out/a", "./" is "."); ".." kept. Returns out. */
char *confine_normalize(const char *path, char *out);

/* 0 when path may be read: it, after links are resolved (for a missing file,
 * its nearest existing folder), is at or below a root. -1 with e saying it is
 * outside, the same whether it exists or not. */
int confine_check_read(const char *path, Err *e);

/* 0 when path (normalised) may be written: the nearest existing folder above
 * it, links resolved, is the write folder or below it, and no part not yet
 * created is "..". -1 with e set otherwise. */
int confine_check_write(const char *path, Err *e);

/* fopen(path, "rb") for a script: checked before opening, and the file that
 * was opened checked again by its descriptor (/proc/self/fd), so a link
 * swapped in between leads nowhere else. NULL with e set ("path: strerror"
 * when it cannot be opened, errno kept). */
FILE *confine_fopen(const char *path, Err *e);

/* opendir(path), checked as confine_fopen. */
DIR *confine_opendir(const char *path, Err *e);

/* 0 when bytes more C memory fit the budget; -1 with e set (ERR_NOMEM) when
 * not, which confine_budget_hit then reports until confine_end. */
int confine_reserve(size_t bytes, Err *e);
int confine_budget_hit(void);
/* Forgets a refusal, before a retry. */
void confine_budget_clear(void);

#endif
