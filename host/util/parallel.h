/* A parallel for over independent jobs (whole files to read, whole vendors to
 * score): the caller's thread and up to threads - 1 more take the next index
 * until none is left. Knows nothing of Lua: jobs must not touch a Lua state. */
#ifndef ANNOVET_PARALLEL_H
#define ANNOVET_PARALLEL_H

#include <stddef.h>

/* Runs fn(i, ctx) once for each i in [0, n), on at most `threads` threads;
 * with threads <= 1 (or when no thread can be started) in order on the caller's
 * thread. Returns when every call has returned. */
void par_for(size_t n, unsigned threads, void (*fn)(size_t i, void *ctx), void *ctx);

/* The threads to use: ANNOVET_THREADS when set (1 to 64), else the processors
 * online (at most 8). */
unsigned par_threads(void);

/* The threads worth starting for `work` units when each thread should have at
 * least `per_thread` of them: between 1 and threads. Small inputs get one thread:
 * starting more costs more than it saves. */
unsigned par_threads_for(size_t work, size_t per_thread, unsigned threads);

#endif
