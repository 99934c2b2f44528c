/* One vendor's run in parts: the gold items split into runs of about equal work,
 * each scored into a partial result on its own scratch (possibly on its own
 * thread), then joined in item order so the result does not depend on the
 * number of parts. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "compare_internal.h"

struct CmpRun {
  const CmpGold *g;
  const Dataset *v;
  CmpResult *r;                 /* classes and items paired; counts joined at the end */
  uint32_t *vstart, *vanns;     /* vendor annotations by item */
  unsigned nparts;
  uint32_t *bounds;             /* part p scores gold items bounds[p] .. bounds[p + 1] */
  CmpResult *part;              /* per part: r's header with its own counts and lists */
  Err *err;                     /* per part */
  int *failed;
};

/* Frees the scratch of a part. */
static void work_free(CmpWork *w) {
  free(w->S);
  free(w->M);
  free(w->d2g);
  free(w->gl);
  free(w->vl);
  free(w->gst);
  free(w->vst);
  free(w->gpair);
  free(w->vpair);
  free(w->vs);
  free(w->gs);
  free(w->vpool.v);
  free(w->gpool.v);
  free(w->sem_lab);
  free(w->sem_crowd);
  free(w->sem_cnt);
  free(w->sem_who);
  match_work_free(&w->mw);
}

/* Frees what a partial result owns (its counts and lists, not r's header). */
static void part_free(CmpResult *p) {
  free(p->stats);
  free(p->ngold);
  free(p->nvendor);
  free(p->who_stats);
  free(p->match);
  free(p->conf);
  free(p->px_conf);
}

/* Frees a run that was not ended (its parts and its result). */
void cmp_run_free(CmpRun *run) {
  if (!run) return;
  for (unsigned p = 0; run->part && p < run->nparts; p++) part_free(&run->part[p]);
  free(run->part);
  free(run->bounds);
  free(run->err);
  free(run->failed);
  free(run->vstart);
  free(run->vanns);
  cmp_result_free(run->r);
  free(run);
}

/* Pairs items and classes, splits the gold items where the work (gold and
 * paired vendor annotations) reaches each part's share, and gives every part a
 * copy of the result's header with its own counts. */
CmpRun *cmp_run_begin(const CmpGold *g, const Dataset *v, unsigned nparts, Err *e) {
  const Dataset *gd = g->d;
  if (nparts < 1) nparts = 1;
  if (nparts > gd->nitems) nparts = gd->nitems ? gd->nitems : 1;
  CmpRun *run = err_calloc(e, 1, sizeof *run);
  if (!run) return NULL;
  run->g = g;
  run->v = v;
  run->nparts = nparts;
  run->bounds = err_calloc(e, nparts + 1, sizeof *run->bounds);
  run->part = err_calloc(e, nparts, sizeof *run->part);
  run->err = err_calloc(e, nparts, sizeof *run->err);
  run->failed = err_calloc(e, nparts, sizeof *run->failed);
  if (!run->bounds || !run->part || !run->err || !run->failed ||
      !(run->r = cmp_result_begin(g, v, &run->vstart, &run->vanns, e))) {
    cmp_run_free(run);
    return NULL;
  }
  CmpResult *r = run->r;
  /* parts of about equal work: gold plus paired vendor annotations */
  uint64_t total = 0, acc = 0;
  for (uint32_t k = 0; k < gd->nitems; k++) {
    uint32_t vk = r->gitem_vendor[k];
    total += g->item_start[k + 1] - g->item_start[k] + 1 + (vk == CMP_NONE ? 0 : run->vstart[vk + 1] - run->vstart[vk]);
  }
  unsigned p = 0;
  for (uint32_t k = 0; k < gd->nitems && p + 1 < nparts; k++) {
    uint32_t vk = r->gitem_vendor[k];
    acc += g->item_start[k + 1] - g->item_start[k] + 1 + (vk == CMP_NONE ? 0 : run->vstart[vk + 1] - run->vstart[vk]);
    if (acc * nparts >= total * (p + 1)) run->bounds[++p] = k + 1;
  }
  while (p < nparts) run->bounds[++p] = gd->nitems;
  for (p = 0; p < nparts; p++) {
    CmpResult *q = &run->part[p];
    *q = *r;
    q->match = NULL;
    q->conf = NULL;
    q->nmatch = q->nconf = 0;
    memset(q->left_out, 0, sizeof q->left_out);
    memset(q->shape_by_type, 0, sizeof q->shape_by_type);
    q->gold_crowd = 0;
    q->px_ignored = 0;
    memset(q->px_overlap, 0, sizeof q->px_overlap);
    q->px_conf = NULL;
    q->stats = err_calloc(e, (size_t)r->nclass + 1, sizeof *q->stats);
    q->ngold = err_calloc(e, (size_t)r->nclass + 1, sizeof *q->ngold);
    q->nvendor = err_calloc(e, (size_t)r->nclass + 1, sizeof *q->nvendor);
    q->who_stats = err_calloc(e, (size_t)r->nwho * r->nclass + 1, sizeof *q->who_stats);
    size_t ncells = r->px_conf ? ((size_t)r->nclass + 1) * (r->nclass + 1) : 0;
    if (ncells) q->px_conf = err_calloc(e, ncells, sizeof *q->px_conf);
    if (!q->stats || !q->ngold || !q->nvendor || !q->who_stats || (ncells && !q->px_conf)) {
      cmp_run_free(run);
      return NULL;
    }
  }
  return run;
}

unsigned cmp_run_parts(const CmpRun *run) {
  return run->nparts;
}

/* Scores part p's items on scratch of its own; a failure is kept for end. */
int cmp_run_part(CmpRun *run, unsigned p) {
  CmpWork w;
  memset(&w, 0, sizeof w);
  w.g = run->g;
  w.v = run->v;
  w.o = &run->g->o;
  w.r = &run->part[p];
  w.vstart = run->vstart;
  w.vanns = run->vanns;
  int rc = 0;
  for (uint32_t k = run->bounds[p]; k < run->bounds[p + 1] && rc == 0; k++)
    rc = cmp_item_run(&w, k, &run->err[p]);
  work_free(&w);
  run->failed[p] = rc != 0;
  return rc;
}

/* Adds the counts of s into t (sum_sim is summed again from the matches). */
static void add_stats(CmpStats *t, const CmpStats *s) {
  t->tp += s->tp;
  t->fp += s->fp;
  t->fn += s->fn;
  t->ignored += s->ignored;
  t->char_edits += s->char_edits;
  t->chars += s->chars;
  t->word_edits += s->word_edits;
  t->words += s->words;
}

/* Joins the parts in order: lists appended, counts added, sums of similarity
 * taken again from the matches; frees the run either way. */
CmpResult *cmp_run_end(CmpRun *run, Err *e) {
  CmpResult *r = run->r;
  for (unsigned p = 0; p < run->nparts; p++)
    if (run->failed[p]) {
      err_set(e, "%s", run->err[p].msg);
      cmp_run_free(run);
      return NULL;
    }
  size_t nmatch = 0, nconf = 0;
  for (unsigned p = 0; p < run->nparts; p++) {
    nmatch += run->part[p].nmatch;
    nconf += run->part[p].nconf;
  }
  r->match = err_malloc(e, (nmatch + 1) * sizeof *r->match);
  r->conf = err_malloc(e, (nconf + 1) * sizeof *r->conf);
  if (!r->match || !r->conf) {
    cmp_run_free(run);
    return NULL;
  }
  for (unsigned p = 0; p < run->nparts; p++) {
    const CmpResult *q = &run->part[p];
    if (q->nmatch) memcpy(r->match + r->nmatch, q->match, q->nmatch * sizeof *q->match);
    r->nmatch += q->nmatch;
    if (q->nconf) memcpy(r->conf + r->nconf, q->conf, q->nconf * sizeof *q->conf);
    r->nconf += q->nconf;
    for (uint32_t c = 0; c < r->nclass; c++) {
      add_stats(&r->stats[c], &q->stats[c]);
      r->ngold[c] += q->ngold[c];
      r->nvendor[c] += q->nvendor[c];
    }
    for (size_t c = 0; c < (size_t)r->nwho * r->nclass; c++) add_stats(&r->who_stats[c], &q->who_stats[c]);
    for (int side = 0; side < 2; side++) {
      for (int k = 0; k < CMP_NOUT; k++) r->left_out[side][k] += q->left_out[side][k];
      for (int t = 0; t < ANN_TYPE_COUNT; t++) r->shape_by_type[side][t] += q->shape_by_type[side][t];
    }
    r->gold_crowd += q->gold_crowd;
    if (r->px_conf)
      for (size_t c = 0; c < ((size_t)r->nclass + 1) * (r->nclass + 1); c++) r->px_conf[c] += q->px_conf[c];
    r->px_ignored += q->px_ignored;
    r->px_overlap[0] += q->px_overlap[0];
    r->px_overlap[1] += q->px_overlap[1];
  }
  /* the sums of the matches' similarity, in item order whatever the parts */
  for (size_t m = 0; m < r->nmatch; m++) {
    const CmpMatch *x = &r->match[m];
    uint32_t c = r->gcat_class[r->gold->cat[x->g]];
    int32_t a = r->vendor->annotator[x->v];
    uint32_t who = a >= 0 ? (uint32_t)a : r->nwho - 1;
    r->stats[c].sum_sim += x->sim;
    r->who_stats[(size_t)who * r->nclass + c].sum_sim += x->sim;
  }
  run->r = NULL;
  cmp_run_free(run);
  return r;
}

/* One part, on this thread. */
CmpResult *cmp_run(const CmpGold *g, const Dataset *v, Err *e) {
  CmpRun *run = cmp_run_begin(g, v, 1, e);
  if (!run) return NULL;
  cmp_run_part(run, 0);
  return cmp_run_end(run, e);
}
