/* par_for on POSIX threads, the next index handed out by an atomic counter. */
#include "parallel.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <unistd.h>

typedef struct ParJob {
  atomic_size_t next;
  size_t n;
  void (*fn)(size_t i, void *ctx);
  void *ctx;
} ParJob;

/* Takes indices until none is left (no lock: one fetch-and-add each). */
static void *worker(void *arg) {
  ParJob *j = arg;
  for (;;) {
    size_t i = atomic_fetch_add_explicit(&j->next, 1, memory_order_relaxed);
    if (i >= j->n) return NULL;
    j->fn(i, j->ctx);
  }
}

/* Starts up to threads - 1 workers, works on this thread too, joins them. */
void par_for(size_t n, unsigned threads, void (*fn)(size_t i, void *ctx), void *ctx) {
  if (threads > n) threads = (unsigned)n;
  pthread_t tid[64];
  ParJob job;
  atomic_init(&job.next, 0);
  job.n = n;
  job.fn = fn;
  job.ctx = ctx;
  unsigned started = 0;
  if (threads > 64) threads = 64;
  while (started + 1 < threads && pthread_create(&tid[started], NULL, worker, &job) == 0) started++;
  worker(&job);
  for (unsigned k = 0; k < started; k++) pthread_join(tid[k], NULL);
}

/* ANNOVET_THREADS, else the processors online, capped. */
unsigned par_threads(void) {
  const char *env = getenv("ANNOVET_THREADS");
  if (env && *env) {
    long v = strtol(env, NULL, 10);
    if (v >= 1 && v <= 64) return (unsigned)v;
  }
  long cpus = sysconf(_SC_NPROCESSORS_ONLN);
  return cpus < 1 ? 1 : cpus > 8 ? 8 : (unsigned)cpus;
}

unsigned par_threads_for(size_t work, size_t per_thread, unsigned threads) {
  size_t t = per_thread ? work / per_thread : threads;
  if (t > threads) t = threads;
  return t < 1 ? 1 : (unsigned)t;
}
