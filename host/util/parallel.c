/* par_for on POSIX threads, the next index handed out under a mutex. */
#include "parallel.h"

#include <pthread.h>
#include <stdlib.h>
#include <unistd.h>

typedef struct ParJob {
  pthread_mutex_t lock;
  size_t next, n;
  void (*fn)(size_t i, void *ctx);
  void *ctx;
} ParJob;

/* Takes indices until none is left. */
static void *worker(void *arg) {
  ParJob *j = arg;
  for (;;) {
    pthread_mutex_lock(&j->lock);
    size_t i = j->next < j->n ? j->next++ : j->n;
    pthread_mutex_unlock(&j->lock);
    if (i >= j->n) return NULL;
    j->fn(i, j->ctx);
  }
}

/* Starts up to threads - 1 workers, works on this thread too, joins them. */
void par_for(size_t n, unsigned threads, void (*fn)(size_t i, void *ctx), void *ctx) {
  if (threads > n) threads = (unsigned)n;
  pthread_t tid[64];
  ParJob job = {PTHREAD_MUTEX_INITIALIZER, 0, n, fn, ctx};
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
