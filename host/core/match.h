/* One-to-one matching of detections to gold annotations on a similarity matrix
 * (IoU, OKS, ...): optimal (Hungarian on the connected blocks that need it) or
 * greedy. Knows neither the model nor the geometry: plain arrays. */
#ifndef ANNOVET_MATCH_H
#define ANNOVET_MATCH_H

#include <stddef.h>
#include <stdint.h>

#include "err.h"

/* Reusable scratch space, so matching many small blocks allocates rarely. */
typedef struct MatchWork {
  void *buf;
  size_t cap;
} MatchWork;

void match_work_free(MatchWork *w);

/* sim: nd x ng, row-major; pairs with sim >= thr are eligible. Fills d2g[nd] with
 * the matched gold index or -1 and returns the number of matches, or -1 with e set.
 * match_optimal maximises the total similarity over eligible pairs (among equal
 * totals, any one assignment); match_greedy takes pairs in order of decreasing similarity
 * (ties: lower detection, then lower gold index). NaN similarities are ineligible. */
int64_t match_optimal(const double *sim, uint32_t nd, uint32_t ng, double thr,
                      int32_t *d2g, MatchWork *w, Err *e);
int64_t match_greedy(const double *sim, uint32_t nd, uint32_t ng, double thr,
                     int32_t *d2g, MatchWork *w, Err *e);

#endif
