/* SQLite store: opening, checking and migrating the schema, and single bound
 * statements for the binding (l_store.c); policy (what to insert when) lives in
 * lua/annovet/store.lua. */
#include "store.h"

#include <sqlite3.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define NOW "(strftime('%Y-%m-%dT%H:%M:%fZ','now'))"

struct Store {
  sqlite3 *db;
  char *path;
  int version;
  int writable;
};

/* Each entry moves the schema from version i to i+1. Later issues append here,
 * never edit a released step. */
static const char *const migrations[] = {
  /* 1: provenance of deliveries and gold panels, evaluations, hash-chained decisions */
  "CREATE TABLE meta(key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;"
  "CREATE TABLE vendors(id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE,"
  "  created_at TEXT NOT NULL DEFAULT " NOW ");"
  "CREATE TABLE batches(id INTEGER PRIMARY KEY,"
  "  vendor_id INTEGER NOT NULL REFERENCES vendors(id), name TEXT NOT NULL,"
  "  created_at TEXT NOT NULL DEFAULT " NOW ", UNIQUE(vendor_id, name));"
  "CREATE TABLE blobs(sha256 TEXT PRIMARY KEY, size INTEGER NOT NULL,"
  "  data BLOB NOT NULL) WITHOUT ROWID;"
  "CREATE TABLE deliveries(id INTEGER PRIMARY KEY,"
  "  batch_id INTEGER NOT NULL REFERENCES batches(id),"
  "  path TEXT NOT NULL, format TEXT NOT NULL, size INTEGER NOT NULL,"
  "  sha256 TEXT NOT NULL REFERENCES blobs(sha256),"
  "  items INTEGER, annotations INTEGER,"
  "  received_at TEXT NOT NULL DEFAULT " NOW ", UNIQUE(batch_id, sha256));"
  "CREATE TABLE gold_panels(id INTEGER PRIMARY KEY, name TEXT NOT NULL,"
  "  version INTEGER NOT NULL, path TEXT NOT NULL, format TEXT NOT NULL,"
  "  size INTEGER NOT NULL, sha256 TEXT NOT NULL REFERENCES blobs(sha256),"
  "  items INTEGER, annotations INTEGER,"
  "  received_at TEXT NOT NULL DEFAULT " NOW ","
  "  UNIQUE(name, version), UNIQUE(name, sha256));"
  "CREATE TABLE evaluations(id INTEGER PRIMARY KEY, kind TEXT NOT NULL,"
  "  delivery_id INTEGER REFERENCES deliveries(id),"
  "  gold_id INTEGER REFERENCES gold_panels(id),"
  "  tool_version TEXT NOT NULL, script_sha256 TEXT,"
  "  params TEXT NOT NULL, result TEXT NOT NULL,"
  "  created_at TEXT NOT NULL DEFAULT " NOW ");"
  "CREATE TABLE decisions(id INTEGER PRIMARY KEY,"
  "  evaluation_id INTEGER REFERENCES evaluations(id),"
  "  batch_id INTEGER REFERENCES batches(id),"
  "  kind TEXT NOT NULL, outcome TEXT NOT NULL, payload TEXT NOT NULL,"
  "  created_at TEXT NOT NULL DEFAULT " NOW ","
  "  prev_hash TEXT, hash TEXT NOT NULL UNIQUE);"
  "CREATE INDEX deliveries_sha ON deliveries(sha256);"
  "CREATE INDEX evaluations_delivery ON evaluations(delivery_id);"
  "INSERT INTO meta(key, value) VALUES ('application', 'annovet');",
  /* 2: what an evaluation compared, so drift can follow a vendor across batches */
  "ALTER TABLE evaluations ADD COLUMN tool_commit TEXT;"
  "ALTER TABLE evaluations ADD COLUMN vendor TEXT;"
  "ALTER TABLE evaluations ADD COLUMN batch TEXT;"
  "ALTER TABLE evaluations ADD COLUMN gold_sha256 TEXT;"
  "ALTER TABLE evaluations ADD COLUMN input_path TEXT;"
  "ALTER TABLE evaluations ADD COLUMN input_sha256 TEXT;"
  "CREATE INDEX evaluations_kind_vendor ON evaluations(kind, vendor, created_at);",
  /* 3: acceptance sampling (MIL-STD-105E): each lot's sample with its seed, plans
   * and item ids, and the audit's result per lot, which the switching rules follow */
  "CREATE TABLE sla_lots(id INTEGER PRIMARY KEY,"
  "  batch_id INTEGER NOT NULL UNIQUE REFERENCES batches(id),"
  "  vendor_id INTEGER NOT NULL REFERENCES vendors(id),"
  "  lot_size INTEGER NOT NULL, level TEXT NOT NULL, inspection TEXT NOT NULL"
  "  CHECK(inspection IN ('normal', 'tightened', 'reduced')), measure TEXT NOT NULL,"
  "  seed INTEGER NOT NULL, stratify TEXT, sample_size INTEGER NOT NULL,"
  "  plans TEXT NOT NULL, item_ids TEXT NOT NULL, switching TEXT NOT NULL,"
  "  tool_version TEXT NOT NULL, created_at TEXT NOT NULL DEFAULT " NOW ");"
  "CREATE TABLE sla_results(id INTEGER PRIMARY KEY,"
  "  lot_id INTEGER NOT NULL UNIQUE REFERENCES sla_lots(id),"
  "  defects TEXT NOT NULL, outcome TEXT NOT NULL CHECK(outcome IN ('accepted', 'rejected')),"
  "  reinstate INTEGER NOT NULL, irregular INTEGER NOT NULL,"
  "  created_at TEXT NOT NULL DEFAULT " NOW ");"
  "CREATE INDEX sla_lots_vendor ON sla_lots(vendor_id, id);",
  /* 4: the append-only log of evaluations and decisions (each entry carries the hash
   * of the one before), the batch lifecycle, versioned annotation guidelines */
  "CREATE TABLE guidelines(id INTEGER PRIMARY KEY, version TEXT NOT NULL UNIQUE,"
  "  path TEXT NOT NULL, size INTEGER NOT NULL, sha256 TEXT NOT NULL REFERENCES blobs(sha256),"
  "  received_at TEXT NOT NULL DEFAULT " NOW ");"
  "ALTER TABLE batches ADD COLUMN state TEXT NOT NULL DEFAULT 'delivered';"
  "ALTER TABLE batches ADD COLUMN rework_of INTEGER REFERENCES batches(id);"
  "ALTER TABLE batches ADD COLUMN guidelines_version TEXT;"
  "ALTER TABLE batches ADD COLUMN sent_at TEXT;"
  "ALTER TABLE gold_panels ADD COLUMN guidelines_version TEXT;"
  "ALTER TABLE evaluations ADD COLUMN batch_id INTEGER REFERENCES batches(id);"
  "CREATE TABLE log(seq INTEGER PRIMARY KEY, entry_table TEXT NOT NULL"
  "  CHECK(entry_table IN ('evaluations', 'decisions')), row_id INTEGER NOT NULL,"
  "  batch_id INTEGER REFERENCES batches(id), body TEXT NOT NULL,"
  "  prev_hash TEXT NOT NULL, hash TEXT NOT NULL UNIQUE, UNIQUE(entry_table, row_id));"
  "CREATE INDEX log_batch ON log(batch_id, seq);"
  "CREATE TRIGGER log_append_only_update BEFORE UPDATE ON log"
  "  BEGIN SELECT RAISE(ABORT, 'the log is append-only'); END;"
  "CREATE TRIGGER log_append_only_delete BEFORE DELETE ON log"
  "  BEGIN SELECT RAISE(ABORT, 'the log is append-only'); END;"
  "CREATE TRIGGER evaluations_append_only_update BEFORE UPDATE ON evaluations"
  "  BEGIN SELECT RAISE(ABORT, 'evaluations are append-only'); END;"
  "CREATE TRIGGER evaluations_append_only_delete BEFORE DELETE ON evaluations"
  "  BEGIN SELECT RAISE(ABORT, 'evaluations are append-only'); END;"
  "CREATE TRIGGER decisions_append_only_update BEFORE UPDATE ON decisions"
  "  BEGIN SELECT RAISE(ABORT, 'decisions are append-only'); END;"
  "CREATE TRIGGER decisions_append_only_delete BEFORE DELETE ON decisions"
  "  BEGIN SELECT RAISE(ABORT, 'decisions are append-only'); END;",
  /* 5: bytes over 1 MiB kept in parts of 1 MiB, blobs.data then empty: SQLite
   * copies a value whole, twice, to insert it (a 2 GiB delivery would need 4 GiB
   * more), and refuses one over 1 GB */
  "CREATE TABLE blob_parts(sha256 TEXT NOT NULL REFERENCES blobs(sha256), part INTEGER NOT NULL,"
  "  data BLOB NOT NULL, PRIMARY KEY(sha256, part));",
};

#define NMIGRATIONS ((int)(sizeof migrations / sizeof migrations[0]))

int store_schema_latest(void) { return NMIGRATIONS; }

static int db_fail(Store *s, Err *e, const char *what) {
  return err_set(e, "%s: %s: %s", s->path, what, sqlite3_errmsg(s->db));
}

static int read_int(Store *s, const char *sql, int *out, Err *e) {
  sqlite3_stmt *st = NULL;
  int rc = sqlite3_prepare_v2(s->db, sql, -1, &st, NULL);
  if (rc == SQLITE_OK) rc = sqlite3_step(st);
  if (rc == SQLITE_ROW) {
    *out = sqlite3_column_int(st, 0);
    rc = SQLITE_OK;
  }
  sqlite3_finalize(st);
  if (rc == SQLITE_NOTADB) return err_set(e, "%s: not an annovet store (not a SQLite database)", s->path);
  return rc == SQLITE_OK || rc == SQLITE_DONE ? 0 : db_fail(s, e, "cannot read");
}

static int exec(Store *s, const char *sql, Err *e) {
  char *msg = NULL;
  if (sqlite3_exec(s->db, sql, NULL, NULL, &msg) == SQLITE_OK) return 0;
  err_set(e, "%s: %s", s->path, msg ? msg : sqlite3_errmsg(s->db));
  sqlite3_free(msg);
  return -1;
}

/* Checks that every table and column the migrations up to s->version create is
 * in the store, against a reference schema built in a private in-memory
 * database: a store whose tables were changed or made by someone else is refused
 * as bad input here, not by a failing statement later. */
static int check_schema(Store *s, Err *e) {
  sqlite3 *ref = NULL;
  sqlite3_stmt *list = NULL, *probe = NULL;
  int rc = -1;
  if (sqlite3_open_v2(":memory:", &ref, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL) != SQLITE_OK) {
    err_nomem(e);
    goto done;
  }
  for (int v = 0; v < s->version; v++) {
    if (sqlite3_exec(ref, migrations[v], NULL, NULL, NULL) != SQLITE_OK) {
      err_set(e, "%s: reference schema v%d: %s", s->path, v + 1, sqlite3_errmsg(ref));
      goto done;
    }
  }
  if (sqlite3_prepare_v2(ref, "SELECT m.name, p.name FROM sqlite_schema m, pragma_table_info(m.name) p"
                         " WHERE m.type = 'table' ORDER BY m.name, p.cid", -1, &list, NULL) != SQLITE_OK) {
    err_set(e, "%s: reference schema: %s", s->path, sqlite3_errmsg(ref));
    goto done;
  }
  if (sqlite3_prepare_v2(s->db, "SELECT count(*), (SELECT count(*) FROM sqlite_schema WHERE type = 'table' AND name = ?1)"
                         " FROM pragma_table_info(?1) WHERE name = ?2", -1, &probe, NULL) != SQLITE_OK) {
    db_fail(s, e, "cannot read");
    goto done;
  }
  int step;
  while ((step = sqlite3_step(list)) == SQLITE_ROW) {
    const char *table = (const char *)sqlite3_column_text(list, 0);
    const char *column = (const char *)sqlite3_column_text(list, 1);
    if (!table || !column) {
      err_nomem(e);
      goto done;
    }
    sqlite3_reset(probe);
    if (sqlite3_bind_text(probe, 1, table, -1, SQLITE_TRANSIENT) != SQLITE_OK ||
        sqlite3_bind_text(probe, 2, column, -1, SQLITE_TRANSIENT) != SQLITE_OK ||
        sqlite3_step(probe) != SQLITE_ROW) {
      db_fail(s, e, "cannot read");
      goto done;
    }
    if (sqlite3_column_int(probe, 1) == 0) {
      err_set(e, "%s: not a usable annovet store: schema v%d has a table %s, which this file lacks",
              s->path, s->version, table);
      goto done;
    }
    if (sqlite3_column_int(probe, 0) == 0) {
      err_set(e, "%s: not a usable annovet store: schema v%d has a column %s.%s, which this file lacks",
              s->path, s->version, table, column);
      goto done;
    }
  }
  if (step != SQLITE_DONE) {
    err_set(e, "%s: reference schema: %s", s->path, sqlite3_errmsg(ref));
    goto done;
  }
  rc = 0;
done:
  sqlite3_finalize(probe);
  sqlite3_finalize(list);
  sqlite3_close(ref);
  return rc;
}

/* Checks that the database is ours and reads its schema version into s->version:
 * an empty database is ours (version 0); one with tables must have annovet's
 * meta table saying so, a version this build knows, and every table and column
 * of that version. */
static int check_ours(Store *s, Err *e) {
  int tables = 0, ours = 0;
  if (read_int(s, "SELECT count(*) FROM sqlite_schema", &tables, e) != 0) return -1;
  if (read_int(s, "PRAGMA user_version", &s->version, e) != 0) return -1;
  if (tables == 0 && s->version == 0) return 0;
  if (read_int(s, "SELECT count(*) FROM pragma_table_info('meta') WHERE name IN ('key', 'value')", &ours, e) != 0)
    return -1;
  if (ours == 2 && read_int(s, "SELECT count(*) FROM meta WHERE key='application' AND value='annovet'", &ours, e) != 0)
    return -1;
  if (ours != 1) return err_set(e, "%s: a SQLite database, but not an annovet store", s->path);
  if (s->version == 0)
    return err_set(e, "%s: not a usable annovet store: it has tables but no schema version", s->path);
  if (s->version > NMIGRATIONS) {
    return err_set(e, "%s: store schema v%d is newer than this annovet (v%d); upgrade annovet",
                   s->path, s->version, NMIGRATIONS);
  }
  return check_schema(s, e);
}

/* Migrates the store to the latest schema in one exclusive transaction. Its
 * owner and version are read again inside the transaction: a process that waited
 * for another one creating or migrating the same store sees that work done, and
 * does not repeat it. */
static int migrate(Store *s, Err *e) {
  if (exec(s, "BEGIN EXCLUSIVE;", e) != 0) return -1;
  int rc = check_ours(s, e);
  while (rc == 0 && s->version < NMIGRATIONS) {
    char pragma[64];
    snprintf(pragma, sizeof pragma, "PRAGMA user_version = %d;", s->version + 1);
    rc = exec(s, migrations[s->version], e);
    if (rc == 0) rc = exec(s, pragma, e);
    if (rc == 0) s->version++;
  }
  if (rc == 0) rc = exec(s, "COMMIT;", e);
  if (rc != 0) {
    sqlite3_exec(s->db, "ROLLBACK;", NULL, NULL, NULL);
    return -1;
  }
  return 0;
}

/* Puts the store in WAL mode. Switching needs the file to itself, and SQLite
 * answers "database is locked" (or keeps the old mode) at once, without waiting,
 * while another process has it open: as when several ingests create one store
 * together. So the switch is retried: for up to 30 seconds (the busy timeout)
 * while the file is locked, 5 seconds while another connection keeps the old mode
 * (after which the store works on in it: a file system without shared memory). */
static int set_wal(Store *s, Err *e) {
  for (int tries = 0;; tries++) {
    sqlite3_stmt *st = NULL;
    int rc = sqlite3_prepare_v2(s->db, "PRAGMA journal_mode = WAL;", -1, &st, NULL);
    int wal = 0;
    if (rc == SQLITE_OK && (rc = sqlite3_step(st)) == SQLITE_ROW) {
      const unsigned char *mode = sqlite3_column_text(st, 0);
      wal = mode && strcmp((const char *)mode, "wal") == 0;
    }
    sqlite3_finalize(st);
    if (wal) return 0;
    if ((rc == SQLITE_BUSY || rc == SQLITE_LOCKED) && tries < 300) {
      sqlite3_sleep(100);
      continue;
    }
    if (rc == SQLITE_ROW) {   /* another connection kept the old mode: again a while, then keep it */
      if (tries < 50) {
        sqlite3_sleep(100);
        continue;
      }
      return 0;
    }
    return db_fail(s, e, "cannot switch to WAL mode");
  }
}

int store_open(const char *path, int mode, Store **out, Err *e) {
  *out = NULL;
  struct stat sb;
  int exists = stat(path, &sb) == 0;
  if (exists && S_ISDIR(sb.st_mode)) return err_set(e, "%s: is a directory, not a store", path);
  if (!exists && mode == STORE_READ) return err_set(e, "%s: no such store", path);

  Store *s = err_calloc(e, 1, sizeof *s);
  if (!s) return -1;
  s->path = strdup(path);
  if (!s->path) {
    free(s);
    return err_nomem(e);
  }
  s->writable = mode == STORE_WRITE;
  int flags = s->writable ? SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE : SQLITE_OPEN_READONLY;
  if (sqlite3_open_v2(path, &s->db, flags | SQLITE_OPEN_NOMUTEX, NULL) != SQLITE_OK) {
    if (s->db)
      err_set(e, "%s: cannot open: %s", path, sqlite3_errmsg(s->db));
    else
      err_set(e, "%s: cannot open: out of memory", path);
    store_close(s);
    return -1;
  }
  sqlite3_extended_result_codes(s->db, 0);
  /* other annovet processes may be writing, or creating this very store */
  sqlite3_busy_timeout(s->db, 30000);
  if (s->writable && sqlite3_db_readonly(s->db, "main") == 1) {
    err_set(e, "%s: cannot write to the store: the file is read-only", path);
    store_close(s);
    return -1;
  }
  if (check_ours(s, e) != 0) {
    store_close(s);
    return -1;
  }
  /* a new store gets 64 KiB pages: delivery files are stored whole as blobs,
   * and 4 KiB pages make a 100 MB file some 75,000 page reads and writes */
  if (!exists && s->writable && exec(s, "PRAGMA page_size = 65536;", e) != 0) {
    store_close(s);
    return -1;
  }
  if (exec(s, "PRAGMA foreign_keys = ON;", e) != 0 ||
      (s->writable && (set_wal(s, e) != 0 ||
                        (s->version < NMIGRATIONS && migrate(s, e) != 0)))) {
    store_close(s);
    return -1;
  }
  *out = s;
  return 0;
}

void store_close(Store *s) {
  if (!s) return;
  sqlite3_close_v2(s->db);
  free(s->path);
  free(s);
}

const char *store_path(const Store *s) { return s->path; }
int store_schema_version(const Store *s) { return s->version; }
int store_writable(const Store *s) { return s->writable; }
int64_t store_changes(Store *s) { return sqlite3_changes64(s->db); }
int64_t store_last_rowid(Store *s) { return sqlite3_last_insert_rowid(s->db); }

struct StoreStmt {
  sqlite3_stmt *st;
  Store *s;
};

int store_prepare(Store *s, const char *sql, size_t len, StoreStmt **out, Err *e) {
  *out = NULL;
  if (len > INT32_MAX) return err_set(e, "SQL: statement too long");
  StoreStmt *t = err_calloc(e, 1, sizeof *t);
  if (!t) return -1;
  t->s = s;
  const char *tail = NULL;
  if (sqlite3_prepare_v2(s->db, sql, (int)len, &t->st, &tail) != SQLITE_OK) {
    err_set(e, "SQL: %s", sqlite3_errmsg(s->db));
    store_finalize(t);
    return -1;
  }
  while (tail && tail < sql + len && strchr(" \t\r\n;", *tail)) tail++;
  if (!t->st || (tail && tail < sql + len)) {
    store_finalize(t);
    return err_set(e, "SQL: exactly one statement expected");
  }
  *out = t;
  return 0;
}

void store_finalize(StoreStmt *st) {
  if (!st) return;
  sqlite3_finalize(st->st);
  free(st);
}

int store_param_count(StoreStmt *st) { return sqlite3_bind_parameter_count(st->st); }

static int bound(StoreStmt *st, int rc, Err *e) {
  return rc == SQLITE_OK ? 0 : err_set(e, "SQL bind: %s", sqlite3_errmsg(st->s->db));
}

int store_bind_null(StoreStmt *st, int i, Err *e) { return bound(st, sqlite3_bind_null(st->st, i), e); }
int store_bind_int(StoreStmt *st, int i, int64_t v, Err *e) {
  return bound(st, sqlite3_bind_int64(st->st, i, v), e);
}
int store_bind_double(StoreStmt *st, int i, double v, Err *e) {
  return bound(st, sqlite3_bind_double(st->st, i, v), e);
}
int store_bind_text(StoreStmt *st, int i, const char *s, size_t len, Err *e) {
  return bound(st, sqlite3_bind_text64(st->st, i, s, len, SQLITE_TRANSIENT, SQLITE_UTF8), e);
}
int store_bind_blob_static(StoreStmt *st, int i, const void *p, size_t len, Err *e) {
  return bound(st, sqlite3_bind_blob64(st->st, i, p, len, SQLITE_STATIC), e);
}

int store_step(StoreStmt *st, Err *e) {
  int rc = sqlite3_step(st->st);
  if (rc == SQLITE_ROW) return STORE_ROW;
  if (rc == SQLITE_DONE) return STORE_DONE;
  err_set(e, "%s: %s", st->s->path, sqlite3_errmsg(st->s->db));
  if (rc == SQLITE_NOMEM && e) e->kind = ERR_NOMEM;
  return rc == SQLITE_CONSTRAINT || rc == SQLITE_BUSY || rc == SQLITE_READONLY || rc == SQLITE_FULL
           ? STORE_REFUSED : STORE_FAILED;
}

int store_column_count(StoreStmt *st) { return sqlite3_column_count(st->st); }
const char *store_column_name(StoreStmt *st, int c) { return sqlite3_column_name(st->st, c); }

int store_column_type(StoreStmt *st, int c) {
  switch (sqlite3_column_type(st->st, c)) {
  case SQLITE_INTEGER: return STORE_INTEGER;
  case SQLITE_FLOAT: return STORE_FLOAT;
  case SQLITE_NULL: return STORE_NULL;
  case SQLITE_TEXT: return STORE_TEXT;
  default: return STORE_BLOB;
  }
}

int64_t store_column_int(StoreStmt *st, int c) { return sqlite3_column_int64(st->st, c); }
double store_column_double(StoreStmt *st, int c) { return sqlite3_column_double(st->st, c); }

const void *store_column_bytes(StoreStmt *st, int c, size_t *len) {
  const void *p = sqlite3_column_blob(st->st, c);
  *len = (size_t)sqlite3_column_bytes(st->st, c);
  return p ? p : "";
}
