/* Binding of compare's work on several threads: reading the gold and vendor
 * files at once, and scoring every vendor in parts at once. The jobs run off the
 * Lua thread and only fill memory the userdata created beforehand. */
#include <string.h>
#include <sys/stat.h>

#include "compare.h"
#include "formats.h"
#include "l_annovet.h"
#include "l_compare.h"
#include "lauxlib.h"
#include "parallel.h"

typedef struct LoadJob {
  const char *path;      /* anchored by the paths table */
  Dataset **slot;        /* the Dataset userdata's pointer */
  Diag *diag;
  Err e;
  int failed;
} LoadJob;

/* Reads file i into its dataset slot (a par_for job). */
static void load_one(size_t i, void *ctx) {
  LoadJob *j = (LoadJob *)ctx + i;
  j->failed = format_read(NULL, j->path, NULL, j->slot, j->diag, &j->e) != 0;
}

/* Reads the threads option at idx (default par_threads()). [-0, +0, v] */
static unsigned opt_threads(lua_State *L, int idx) {
  lua_Integer t = luaL_optinteger(L, idx, (lua_Integer)par_threads());
  luaL_argcheck(L, t >= 1 && t <= 64, idx, "threads must be 1 to 64");
  return (unsigned)t;
}

/* Bytes a reader thread should have at least: below that, starting it costs
 * more than it saves. */
#define LOAD_PER_THREAD ((size_t)4 << 20)
/* Gold plus vendor annotations a scoring part should have at least. */
#define SCORE_PER_PART ((size_t)20000)

/* compare.load(paths [, threads]) -> {Dataset, ...} | nil, message: reads the
 * files (format detected) on up to threads threads, one per 4 MiB of input at
 * most (folders count as large); the message is the first failure's in list
 * order. [-2, +1|2, m] */
int l_compare_load(lua_State *L) {
  luaL_checktype(L, 1, LUA_TTABLE);
  unsigned threads = opt_threads(L, 2);
  size_t n = lua_rawlen(L, 1);
  for (size_t i = 0; i < n; i++) {
    if (lua_rawgeti(L, 1, (lua_Integer)i + 1) != LUA_TSTRING) luaL_argerror(L, 1, "expected a list of paths");
    lua_pop(L, 1);
  }
  LoadJob *jobs = lua_newuserdatauv(L, (n + 1) * sizeof *jobs, 0);   /* 3 */
  memset(jobs, 0, (n + 1) * sizeof *jobs);
  lua_createtable(L, (int)n, 0);                                       /* 4 */
  for (size_t i = 0; i < n; i++) {
    lua_rawgeti(L, 1, (lua_Integer)i + 1);
    jobs[i].path = lua_tostring(L, -1);
    lua_pop(L, 1);
    l_dataset_new(L, &jobs[i].slot, &jobs[i].diag);
    lua_rawseti(L, 4, (lua_Integer)i + 1);
  }
  size_t bytes = 0;
  for (size_t i = 0; i < n; i++) {
    struct stat sb;
    if (stat(jobs[i].path, &sb) != 0) continue;   /* the reader says what is wrong */
    bytes += S_ISREG(sb.st_mode) ? (size_t)sb.st_size : LOAD_PER_THREAD;
  }
  par_for(n, par_threads_for(bytes, LOAD_PER_THREAD, threads), load_one, jobs);
  for (size_t i = 0; i < n; i++)
    if (jobs[i].failed) {
      luaL_pushfail(L);
      lua_pushstring(L, jobs[i].e.msg);
      return 2;
    }
  return 1;
}

/* The runs of several vendors, released by __gc if an error unwinds. */
typedef struct RunBox {
  CmpRun **run;
  size_t n;
} RunBox;

#define RUNBOX_MT "annovet.CmpRunBox"

/* __gc of the run box: frees the runs not ended. [-0, +0, -] */
static int runbox_release(lua_State *L) {
  RunBox *b = luaL_checkudata(L, 1, RUNBOX_MT);
  for (size_t i = 0; i < b->n; i++) {
    cmp_run_free(b->run[i]);
    b->run[i] = NULL;
  }
  return 0;
}

typedef struct PartJob {
  RunBox *box;
  size_t nparts;      /* parts per run */
} PartJob;

/* Job i: part i % nparts of run i / nparts. */
static void run_part(size_t i, void *ctx) {
  PartJob *j = ctx;
  cmp_run_part(j->box->run[i / j->nparts], (unsigned)(i % j->nparts));
}

/* compare.run_all(gold, {vendor, ...} [, threads]) -> {CmpResult, ...} |
 * nil, message: scores the vendors, each in up to threads parts (one per
 * 20,000 gold and vendor annotations at most), every part of every vendor on
 * up to threads threads (fewer when the whole is small). [-3, +1|2, m] */
int l_compare_run_all(lua_State *L) {
  LGold *lg = l_cmpgold_check(L, 1);
  luaL_checktype(L, 2, LUA_TTABLE);
  unsigned threads = opt_threads(L, 3);
  size_t n = lua_rawlen(L, 2);
  lua_settop(L, 3);
  RunBox *box = lua_newuserdatauv(L, sizeof *box, 1);                  /* 4 */
  box->run = NULL;
  box->n = 0;
  luaL_setmetatable(L, RUNBOX_MT);
  CmpRun **runs = lua_newuserdatauv(L, (n + 1) * sizeof *runs, 0);    /* anchored by the box */
  memset(runs, 0, (n + 1) * sizeof *runs);
  lua_setiuservalue(L, 4, 1);
  box->run = runs;
  lua_createtable(L, (int)n, 0);                                        /* 5 */
  for (size_t i = 0; i < n; i++) {
    lua_rawgeti(L, 2, (lua_Integer)i + 1);
    l_dataset_check(L, -1);
    LResult *lr = lua_newuserdatauv(L, sizeof *lr, 2);
    lr->r = NULL;
    luaL_setmetatable(L, RESULT_MT);
    lua_pushvalue(L, 1);
    lua_setiuservalue(L, -2, 1);
    lua_pushvalue(L, -2);
    lua_setiuservalue(L, -2, 2);
    lua_rawseti(L, 5, (lua_Integer)i + 1);
    lua_pop(L, 1);
  }
  Err e = {0};
  size_t gann = cmp_gold_annotations(lg->g), work = 0, most = 0;
  for (size_t i = 0; i < n; i++) {
    lua_rawgeti(L, 2, (lua_Integer)i + 1);
    size_t w = gann + l_dataset_check(L, -1)->nann;
    lua_pop(L, 1);
    work += w;
    if (w > most) most = w;
  }
  unsigned parts = par_threads_for(most, SCORE_PER_PART, threads);
  for (size_t i = 0; i < n; i++) {
    lua_rawgeti(L, 2, (lua_Integer)i + 1);
    const Dataset *v = l_dataset_check(L, -1);
    lua_pop(L, 1);
    box->run[i] = cmp_run_begin(lg->g, v, parts, &e);
    box->n = i + 1;
    if (!box->run[i]) {
      return l_fail(L, &e);
    }
  }
  /* every run has the same number of parts unless the gold has fewer items */
  size_t nparts = n ? cmp_run_parts(box->run[0]) : 1;
  PartJob job = {box, nparts};
  par_for(n * nparts, par_threads_for(work, SCORE_PER_PART, threads), run_part, &job);
  for (size_t i = 0; i < n; i++) {
    CmpRun *run = box->run[i];
    box->run[i] = NULL;
    CmpResult *r = cmp_run_end(run, &e);
    if (!r) {
      return l_fail(L, &e);
    }
    lua_rawgeti(L, 5, (lua_Integer)i + 1);
    ((LResult *)lua_touserdata(L, -1))->r = r;
    lua_pop(L, 1);
  }
  lua_settop(L, 5);
  return 1;
}

/* Registers the run box metatable. [-0, +0, m] */
void l_compare_open_par(lua_State *L) {
  l_class(L, RUNBOX_MT, NULL, runbox_release);
}
