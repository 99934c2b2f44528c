/* The project store: one SQLite file holding deliveries, gold panels, evaluations and
 * the hash-chained decisions. Schema created and migrated through PRAGMA user_version.
 * SQLite stays behind this API: callers prepare one bound statement at a time and
 * read its rows, and never see a sqlite3 handle. */
#ifndef ANNOVET_STORE_H
#define ANNOVET_STORE_H

#include <stddef.h>
#include <stdint.h>

#include "err.h"

typedef struct Store Store;
typedef struct StoreStmt StoreStmt;

enum { STORE_READ = 0, STORE_WRITE = 1 };

/* Column types, as SQLite stores them. */
enum { STORE_NULL, STORE_INTEGER, STORE_FLOAT, STORE_TEXT, STORE_BLOB };

/* What store_step returns. STORE_REFUSED is an expected failure (a constraint, a
 * busy or read-only store, a full disk): the caller reports it to the user. */
enum { STORE_ROW = 1, STORE_DONE = 0, STORE_FAILED = -1, STORE_REFUSED = -2 };

/* The schema version this build writes (the number of migrations). */
int store_schema_latest(void);

/* Opens path. STORE_READ: the file must exist and is opened read-only, never changed.
 * STORE_WRITE: creates the file if needed, then migrates it to the latest schema in
 * one transaction per step. Refuses a file that is not an annovet store, or whose
 * schema is newer than this build. */
int store_open(const char *path, int mode, Store **out, Err *e);
void store_close(Store *s);

const char *store_path(const Store *s);
int store_schema_version(const Store *s);
int store_writable(const Store *s);
/* Rows changed by the last statement, and the last inserted rowid. */
int64_t store_changes(Store *s);
int64_t store_last_rowid(Store *s);

/* Prepares exactly one statement from sql[0..len); -1 with e set otherwise. */
int store_prepare(Store *s, const char *sql, size_t len, StoreStmt **out, Err *e);
/* Finalizes st; NULL is fine. */
void store_finalize(StoreStmt *st);
int store_param_count(StoreStmt *st);
/* Bind parameter i (from 1). Each returns 0, or -1 with e set. Text and blobs are copied. */
int store_bind_null(StoreStmt *st, int i, Err *e);
int store_bind_int(StoreStmt *st, int i, int64_t v, Err *e);
int store_bind_double(StoreStmt *st, int i, double v, Err *e);
int store_bind_text(StoreStmt *st, int i, const char *s, size_t len, Err *e);
int store_bind_blob_static(StoreStmt *st, int i, const void *p, size_t len, Err *e);   /* p outlives the statement */
/* Runs st one step: STORE_ROW, STORE_DONE, or STORE_REFUSED / STORE_FAILED with e
 * set to "path: reason". */
int store_step(StoreStmt *st, Err *e);
/* The current row's columns, from 0. Text and blobs stay valid until the next step. */
int store_column_count(StoreStmt *st);
const char *store_column_name(StoreStmt *st, int c);
int store_column_type(StoreStmt *st, int c);
int64_t store_column_int(StoreStmt *st, int c);
double store_column_double(StoreStmt *st, int c);
const void *store_column_bytes(StoreStmt *st, int c, size_t *len);

#endif
