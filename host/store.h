/* The project store: one SQLite file holding deliveries, gold panels, evaluations and
 * the hash-chained decisions. Schema created and migrated through PRAGMA user_version. */
#ifndef ANNOVET_STORE_H
#define ANNOVET_STORE_H

#include <sqlite3.h>

#include "err.h"

typedef struct Store Store;

enum { STORE_READ = 0, STORE_WRITE = 1 };

/* The schema version this build writes (the number of migrations). */
int store_schema_latest(void);

/* Opens path. STORE_READ: the file must exist and is opened read-only, never changed.
 * STORE_WRITE: creates the file if needed, then migrates it to the latest schema in
 * one transaction per step. Refuses a file that is not an annovet store, or whose
 * schema is newer than this build. */
int store_open(const char *path, int mode, Store **out, Err *e);
void store_close(Store *s);

sqlite3 *store_db(Store *s);
const char *store_path(const Store *s);
int store_schema_version(const Store *s);
int store_writable(const Store *s);

#endif
