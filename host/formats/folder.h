/* Folders the formats read: joined paths, sorted listings and trees of files,
 * names checked as UTF-8 and made safe as relative output paths. */
#ifndef ANNOVET_FOLDER_H
#define ANNOVET_FOLDER_H

#include <stddef.h>

#include "err.h"

/* 1 when path is a directory, 0 when it is something else, -1 when absent. */
int folder_kind(const char *path);

/* dir/rel in *out (malloc'd) when rel, a name found inside a delivery, names a
 * file inside folder dir: relative, no ".." component, and with links resolved
 * still at or below dir. 0 found; 1 when rel leads outside dir; 2 when there is
 * no such file; -1 out of memory. A name from a delivery is data: it opens
 * nothing outside the delivery's folder. */
int folder_find_within(const char *dir, const char *rel, char **out, Err *e);

/* dir/name, malloc'd (NULL with e set when out of memory). */
char *folder_join(const char *dir, const char *name, Err *e);

/* The part after the last '/'. */
const char *folder_base(const char *path);

/* 1 when name ends in ext (".xml"), compared without case. */
int folder_has_ext(const char *name, const char *ext);

/* Names in a directory (not "." or ".."), sorted bytewise. */
typedef struct FolderList {
  char **v;
  size_t n, cap;
} FolderList;

int folder_list(const char *dir, FolderList *out, Err *e);
/* Appends a copy of s. */
int folder_list_add(FolderList *l, const char *s, Err *e);
void folder_list_free(FolderList *l);

/* Files under dir (recursively, at most 8 levels) whose names end in ext, as
 * paths relative to dir, sorted. */
int folder_list_tree(const char *dir, const char *ext, FolderList *out, Err *e);

/* name made safe as a relative path inside an output folder: no leading '/',
 * and "", "." and ".." components become "_". malloc'd. */
char *folder_safe_rel(const char *name, Err *e);

/* 0 when rel (a file found in folder dir, or NULL) is a UTF-8 name; otherwise
 * -1 with e naming the file (its bytes that are not UTF-8 shown as \xHH) and
 * what the name would have become (what: "an item's file name"). */
int folder_check_name(const char *dir, const char *rel, const char *what, Err *e);

#endif
