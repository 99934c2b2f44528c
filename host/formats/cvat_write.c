/* CVAT for images 1.1 writer: one annotations.xml with every category declared
 * in <meta> (with the attributes its annotations use) and one <image> per item.
 *
 * Types: box -> <box>; rbox -> <box rotation>; polygon -> one <polygon> per
 * outer part (holes dropped, warned); mask -> <mask> (CVAT's row-major runs
 * over the mask's box); keypoints -> <skeleton> when the category names its
 * keypoints (sublabels declared in <meta>), else <points> of the labelled ones;
 * polyline -> <polyline> (a width is dropped); cuboid -> <cuboid> (3D dropped);
 * tag -> <tag>; text -> <box> or <polygon> with a "text" attribute. occluded,
 * z_order, group_id and source are the shape's own XML attributes; every other
 * attribute is an <attribute> child, declared as checkbox, number or text.
 * Scores, crowd flags and annotators have no place in CVAT: dropped, warned. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "confine.h"
#include "cvat.h"
#include "fields.h"
#include "staged.h"
#include "numfmt.h"
#include "pngmask.h"
#include "xmlio.h"

static const char *const own_keys[] = {"occluded", "z_order", "group_id", "source", "outside"};

static int own_key(const char *k) {
  for (size_t i = 0; i < sizeof own_keys / sizeof *own_keys; i++)
    if (strcmp(own_keys[i], k) == 0) return 1;
  return 0;
}

static void put_num(FILE *f, double v) {
  char buf[NUMFMT_MAX];
  if (num_fmt(buf, v, 0) < 0) buf[0] = '0', buf[1] = '\0';
  fputs(buf, f);
}

/* One declared attribute of a category. */
typedef struct Decl {
  int32_t cat;
  StrId key;
  int kind;           /* AttrKind, or -1 when mixed (declared as text) */
  double lo, hi;
} Decl;

typedef struct Writer {
  const Dataset *d;
  Diag *g;
  Err *e;
  FILE *f;
  Decl *decls;
  size_t ndecls;
  uint16_t *px;       /* scratch image for masks */
  size_t npx;
} Writer;

static Decl *find_decl(Writer *w, int32_t cat, StrId key) {
  for (size_t i = 0; i < w->ndecls; i++)
    if (w->decls[i].cat == cat && w->decls[i].key == key) return &w->decls[i];
  return NULL;
}

/* Collects the attributes each category's annotations use. */
static int collect_decls(Writer *w) {
  const Dataset *d = w->d;
  for (uint32_t i = 0; i < d->nann; i++) {
    if (d->cat[i] < 0) continue;
    for (uint32_t k = 0; k < d->a_n[i]; k++) {
      const Attr *a = &d->attrs.v[d->a_off[i] + k];
      if (own_key(strpool_get(&d->str, a->key))) continue;
      Decl *dc = find_decl(w, d->cat[i], a->key);
      if (!dc) {
        Decl *nd = err_realloc(w->e, w->decls, w->ndecls + 1, sizeof *nd);
        if (!nd) return -1;
        w->decls = nd;
        dc = &nd[w->ndecls++];
        dc->cat = d->cat[i];
        dc->key = a->key;
        dc->kind = a->kind;
        dc->lo = dc->hi = a->kind == ATTR_NUMBER ? a->num : 0;
      } else if (dc->kind != a->kind && dc->kind >= 0) {
        diag_warn(w->g, "attribute kinds mixed", "attribute '%s' of '%s' is both %s and %s: written as text",
                  strpool_get(&d->str, a->key), strpool_get(&d->str, d->cats[d->cat[i]].name),
                  dc->kind == ATTR_NUMBER ? "a number" : dc->kind == ATTR_BOOL ? "a bool" : "a string",
                  a->kind == ATTR_NUMBER ? "a number" : a->kind == ATTR_BOOL ? "a bool" : "a string");
        dc->kind = -1;
      }
      if (dc->kind == ATTR_NUMBER) {
        if (a->num < dc->lo) dc->lo = a->num;
        if (a->num > dc->hi) dc->hi = a->num;
      }
    }
  }
  return 0;
}

/* Keypoint names of category c for <skeleton>: its own when all are non-empty
 * and distinct, else "1".."k". Returns 1 when the category is a skeleton. */
static int kp_name(const Dataset *d, uint32_t c, uint32_t k, char *buf, size_t n) {
  const Category *cat = &d->cats[c];
  if (!cat->nkp) return 0;
  int own = 1;
  for (uint32_t i = 0; i < cat->nkp && own; i++) {
    const char *s = strpool_get(&d->str, cat->kp_names[i]);
    if (!*s) own = 0;
    for (uint32_t j = 0; j < i && own; j++) own = cat->kp_names[j] != cat->kp_names[i];
  }
  if (own) snprintf(buf, n, "%s", strpool_get(&d->str, cat->kp_names[k]));
  else snprintf(buf, n, "%u", k + 1);
  return 1;
}

/* A skeleton's <svg>, as CVAT draws it: one circle per keypoint (node ids 1..,
 * laid out on a grid) and a line per skeleton edge. */
static void put_svg(FILE *f, const Dataset *d, uint32_t c) {
  const Category *cat = &d->cats[c];
  char kp[64], buf[512];
  fputs("          <svg>", f);
  for (uint32_t k = 0; k < cat->nsk; k++) {
    int32_t a = cat->skeleton[2 * k], b = cat->skeleton[2 * k + 1];
    if (a < 0 || b < 0 || (uint32_t)a >= cat->nkp || (uint32_t)b >= cat->nkp) continue;
    snprintf(buf, sizeof buf, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"black\" data-type=\"edge\" "
             "data-node-from=\"%d\" stroke-width=\"0.5\" data-node-to=\"%d\"></line>",
             10 + 20 * (a % 5), 10 + 20 * (a / 5), 10 + 20 * (b % 5), 10 + 20 * (b / 5), a + 1, b + 1);
    xmlio_escape(f, buf);
  }
  for (uint32_t k = 0; k < cat->nkp; k++) {
    kp_name(d, c, k, kp, sizeof kp);
    snprintf(buf, sizeof buf, "<circle r=\"1.5\" stroke=\"black\" fill=\"#b3b3b3\" cx=\"%u\" cy=\"%u\" "
             "stroke-width=\"0.1\" data-type=\"element node\" data-element-id=\"%u\" data-node-id=\"%u\" "
             "data-label-name=\"", 10 + 20 * (k % 5), 10 + 20 * (k / 5), k + 1, k + 1);
    xmlio_escape(f, buf);
    for (const char *s = kp; *s; s++) {   /* the name inside the SVG attribute, escaped twice */
      if (*s == '"') fputs("&amp;quot;", f);
      else if (*s == '&') fputs("&amp;amp;", f);
      else if (*s == '<') fputs("&amp;lt;", f);
      else if (*s == '>') fputs("&amp;gt;", f);
      else fputc(*s, f);
    }
    xmlio_escape(f, "\"></circle>");
  }
  fputs("</svg>\n", f);
}

/* The <meta><task> with every category as a <label>, its attribute declarations,
 * and a skeleton's <svg> and sublabels. */
static void put_meta(Writer *w) {
  const Dataset *d = w->d;
  FILE *f = w->f;
  fprintf(f, "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<annotations>\n  <version>1.1</version>\n  <meta>\n"
             "    <task>\n      <name>annovet export</name>\n      <size>%u</size>\n      <mode>annotation</mode>\n"
             "      <labels>\n", d->nitems);
  char kp[64];
  for (uint32_t c = 0; c < d->ncats; c++) {
    const char *name = strpool_get(&d->str, d->cats[c].name);
    fputs("        <label>\n          <name>", f);
    xmlio_escape(f, name);
    fputs("</name>\n", f);
    if (d->cats[c].nkp) fputs("          <type>skeleton</type>\n", f);
    fputs("          <attributes>\n", f);
    for (size_t i = 0; i < w->ndecls; i++) {
      const Decl *dc = &w->decls[i];
      if (dc->cat != (int32_t)c) continue;
      fputs("            <attribute>\n              <name>", f);
      xmlio_escape(f, strpool_get(&d->str, dc->key));
      fputs("</name>\n              <mutable>False</mutable>\n", f);
      if (dc->kind == ATTR_BOOL) {
        fputs("              <input_type>checkbox</input_type>\n              <default_value>false</default_value>\n"
              "              <values>false\ntrue</values>\n", f);
      } else if (dc->kind == ATTR_NUMBER) {
        fputs("              <input_type>number</input_type>\n              <default_value>", f);
        put_num(f, dc->lo);
        fputs("</default_value>\n              <values>", f);
        put_num(f, dc->lo);
        fputc('\n', f);
        put_num(f, dc->hi);
        fputs("\n1</values>\n", f);
      } else {
        fputs("              <input_type>text</input_type>\n              <default_value></default_value>\n"
              "              <values></values>\n", f);
      }
      fputs("            </attribute>\n", f);
    }
    fputs("          </attributes>\n", f);
    if (d->cats[c].nkp) put_svg(f, d, c);
    fputs("        </label>\n", f);
    for (uint32_t k = 0; k < d->cats[c].nkp; k++) {
      kp_name(d, c, k, kp, sizeof kp);
      fputs("        <label>\n          <name>", f);
      xmlio_escape(f, kp);
      fputs("</name>\n          <type>points</type>\n          <attributes>\n          </attributes>\n          <parent>", f);
      xmlio_escape(f, name);
      fputs("</parent>\n        </label>\n", f);
    }
  }
  fputs("      </labels>\n    </task>\n  </meta>\n", f);
}

/* ` label="..." occluded=".." [z_order, group_id, source]` of annotation i. */
static void put_common(Writer *w, uint32_t i) {
  const Dataset *d = w->d;
  FILE *f = w->f;
  fputs(" label=\"", f);
  if (d->cat[i] >= 0) xmlio_escape(f, strpool_get(&d->str, d->cats[d->cat[i]].name));
  fputc('"', f);
  if (d->type[i] == ANN_TAG) {
    const Attr *s = field_attr(d, i, "source");
    if (s) {
      fputs(" source=\"", f);
      xmlio_escape(f, s->kind == ATTR_STRING ? strpool_get(&d->str, s->str) : "manual");
      fputc('"', f);
    }
    return;
  }
  const Attr *occ = field_attr(d, i, "occluded");
  int o = occ && (occ->kind == ATTR_STRING ? strcmp(strpool_get(&d->str, occ->str), "1") == 0 ||
                                               strcmp(strpool_get(&d->str, occ->str), "true") == 0
                                           : occ->num != 0);
  fprintf(f, " occluded=\"%d\"", o);
  static const char *const nums[2] = {"z_order", "group_id"};
  for (int k = 0; k < 2; k++) {
    const Attr *a = field_attr(d, i, nums[k]);
    if (a && a->kind == ATTR_NUMBER && a->num == floor(a->num)) {
      fprintf(f, " %s=\"", nums[k]);
      put_num(f, a->num);
      fputc('"', f);
    }
  }
  const Attr *s = field_attr(d, i, "source");
  if (s && s->kind == ATTR_STRING) {
    fputs(" source=\"", f);
    xmlio_escape(f, strpool_get(&d->str, s->str));
    fputc('"', f);
  }
}

/* The <attribute> children of annotation i, and ">" or "/>" around them. */
static void put_children(Writer *w, uint32_t i, const char *elem, const char *text) {
  const Dataset *d = w->d;
  FILE *f = w->f;
  int any = text != NULL;
  for (uint32_t k = 0; k < d->a_n[i] && !any; k++)
    any = !own_key(strpool_get(&d->str, d->attrs.v[d->a_off[i] + k].key));
  if (!any) {
    fputs("/>\n", f);
    return;
  }
  fputs(">\n", f);
  for (uint32_t k = 0; k < d->a_n[i]; k++) {
    const Attr *a = &d->attrs.v[d->a_off[i] + k];
    const char *key = strpool_get(&d->str, a->key);
    if (own_key(key)) continue;
    if (d->cat[i] < 0) {
      diag_warn(w->g, "dropped: attribute of an unlabelled shape", "attribute '%s': CVAT declares attributes per label", key);
      continue;
    }
    fputs("      <attribute name=\"", f);
    xmlio_escape(f, key);
    fputs("\">", f);
    if (a->kind == ATTR_BOOL) fputs(a->num != 0 ? "true" : "false", f);
    else if (a->kind == ATTR_NUMBER) put_num(f, a->num);
    else xmlio_escape(f, strpool_get(&d->str, a->str));
    fputs("</attribute>\n", f);
  }
  if (text) {
    fputs("      <attribute name=\"text\">", f);
    xmlio_escape(f, text);
    fputs("</attribute>\n", f);
  }
  fprintf(f, "    </%s>\n", elem);
}

static void put_pairs(FILE *f, const double *c, uint32_t npts, uint32_t stride) {
  for (uint32_t k = 0; k < npts; k++) {
    if (k) fputc(';', f);
    put_num(f, c[(size_t)k * stride]);
    fputc(',', f);
    put_num(f, c[(size_t)k * stride + 1]);
  }
}

/* A <box> (with rotation when not 0), text as an attribute when given. */
static void put_box(Writer *w, uint32_t i, const double *b, double rot, const char *text) {
  FILE *f = w->f;
  fputs("    <box", f);
  put_common(w, i);
  const char *k[4] = {"xtl", "ytl", "xbr", "ybr"};
  double v[4] = {b[0], b[1], b[0] + b[2], b[1] + b[3]};
  for (int j = 0; j < 4; j++) {
    fprintf(f, " %s=\"", k[j]);
    put_num(f, v[j]);
    fputc('"', f);
  }
  if (rot != 0) {
    fputs(" rotation=\"", f);
    put_num(f, rot);
    fputc('"', f);
  }
  put_children(w, i, "box", text);
}

/* <mask>: the COCO RLE painted into a scratch image, then CVAT's row-major runs
 * (from 0s) over the painted pixels' box. */
static int put_mask(Writer *w, uint32_t i, uint32_t W, uint32_t H) {
  const Dataset *d = w->d;
  char where[300];
  dataset_source(d, i, where, sizeof where);
  const double *hw = &d->coords.v[d->g_off[i]];
  if (d->g_n[i] < 2 || hw[0] != H || hw[1] != W) {
    diag_warn(w->g, "dropped: mask of another size", "%s: the mask is not the image's size", where);
    return 0;
  }
  size_t n = (size_t)W * H;
  if (n > w->npx) {
    if (confine_reserve((n - w->npx) * sizeof *w->px, w->e) != 0) return -1;
    uint16_t *p = err_realloc(w->e, w->px, n, sizeof *p);
    if (!p) return -1;
    w->px = p;
    w->npx = n;
  }
  memset(w->px, 0, n * sizeof *w->px);
  Err pe = {0};
  if (pngmask_paint(w->px, NULL, W, H, &d->rle.v[d->r_off[i]], d->r_n[i], 1, NULL, &pe) != 0) {
    diag_warn(w->g, "dropped: bad mask", "%s: %s", where, pe.msg);
    return 0;
  }
  uint32_t x0 = W, y0 = H, x1 = 0, y1 = 0;
  for (uint32_t y = 0; y < H; y++)
    for (uint32_t x = 0; x < W; x++)
      if (w->px[(size_t)y * W + x]) {
        if (x < x0) x0 = x;
        if (x > x1) x1 = x;
        if (y < y0) y0 = y;
        if (y > y1) y1 = y;
      }
  if (x0 > x1) {
    diag_warn(w->g, "dropped: empty mask", "%s: CVAT has no empty mask", where);
    return 0;
  }
  FILE *f = w->f;
  fputs("    <mask", f);
  put_common(w, i);
  fputs(" rle=\"", f);
  int cur = 0, first = 1;
  uint64_t run = 0;
  for (uint32_t y = y0; y <= y1; y++)
    for (uint32_t x = x0; x <= x1; x++) {
      int v = w->px[(size_t)y * W + x] != 0;
      if (v != cur) {
        fprintf(f, "%s%llu", first ? "" : ", ", (unsigned long long)run);
        first = 0;
        run = 0;
        cur = v;
      }
      run++;
    }
  fprintf(f, "%s%llu\" left=\"%u\" top=\"%u\" width=\"%u\" height=\"%u\"", first ? "" : ", ",
          (unsigned long long)run, x0, y0, x1 - x0 + 1, y1 - y0 + 1);
  put_children(w, i, "mask", NULL);
  return 0;
}

/* Keypoints as a <skeleton> of named points, or <points> of the labelled ones. */
static void put_keypoints(Writer *w, uint32_t i, const char *where) {
  const Dataset *d = w->d;
  FILE *f = w->f;
  const double *c = &d->coords.v[d->g_off[i]];
  uint32_t n = d->g_n[i] / 3;
  char kp[64];
  if (d->cat[i] >= 0 && d->cats[d->cat[i]].nkp == n && n) {
    fputs("    <skeleton", f);
    put_common(w, i);
    fputs(">\n", f);
    for (uint32_t k = 0; k < n; k++) {
      kp_name(d, (uint32_t)d->cat[i], k, kp, sizeof kp);
      fputs("      <points label=\"", f);
      xmlio_escape(f, kp);
      fprintf(f, "\" outside=\"%d\" occluded=\"%d\" points=\"", c[3 * k + 2] == 0, c[3 * k + 2] == 1);
      put_pairs(f, c + 3 * k, 1, 3);
      fputs("\"/>\n", f);
    }
    for (uint32_t k = 0; k < d->a_n[i]; k++) {
      const Attr *a = &d->attrs.v[d->a_off[i] + k];
      if (own_key(strpool_get(&d->str, a->key))) continue;
      fputs("      <attribute name=\"", f);
      xmlio_escape(f, strpool_get(&d->str, a->key));
      fputs("\">", f);
      if (a->kind == ATTR_BOOL) fputs(a->num != 0 ? "true" : "false", f);
      else if (a->kind == ATTR_NUMBER) put_num(f, a->num);
      else xmlio_escape(f, strpool_get(&d->str, a->str));
      fputs("</attribute>\n", f);
    }
    fputs("    </skeleton>\n", f);
    return;
  }
  uint32_t labelled = 0, hidden = 0;
  for (uint32_t k = 0; k < n; k++) {
    labelled += c[3 * k + 2] != 0;
    hidden += c[3 * k + 2] == 1;
  }
  if (labelled < n)
    diag_warn(w->g, "dropped: unlabelled keypoint", "%s: <points> cannot hold a point that is not labelled", where);
  if (hidden)
    diag_warn(w->g, "dropped: keypoint visibility", "%s: <points> holds no per-point occlusion", where);
  if (!labelled) return;
  fputs("    <points", f);
  put_common(w, i);
  fputs(" points=\"", f);
  int first = 1;
  for (uint32_t k = 0; k < n; k++) {
    if (c[3 * k + 2] == 0) continue;
    if (!first) fputc(';', f);
    first = 0;
    put_pairs(f, c + 3 * k, 1, 3);
  }
  fputc('"', f);
  put_children(w, i, "points", NULL);
}

/* One annotation as the shapes CVAT has for it. */
static int put_annotation(Writer *w, uint32_t i, uint32_t W, uint32_t H) {
  const Dataset *d = w->d;
  FILE *f = w->f;
  char where[300];
  dataset_source(d, i, where, sizeof where);
  if (!isnan(d->score[i])) diag_warn(w->g, "dropped: score", "%s: CVAT has no score", where);
  if (d->iscrowd[i]) diag_warn(w->g, "dropped: iscrowd", "%s: CVAT has no crowd flag", where);
  if (d->annotator[i] >= 0) diag_warn(w->g, "dropped: annotator", "%s: CVAT XML has no annotator per shape", where);
  const double *c = &d->coords.v[d->g_off[i]];
  const double *b = &d->bbox[4 * (size_t)i];
  uint32_t nc = d->g_n[i];
  switch (d->type[i]) {
  case ANN_BOX:
    if (!(isfinite(b[0]) && isfinite(b[1]) && isfinite(b[2]) && isfinite(b[3]))) {
      diag_warn(w->g, "dropped: box without coordinates", "%s", where);
      return 0;
    }
    put_box(w, i, b, 0, NULL);
    return 0;
  case ANN_RBOX: {
    if (nc < 5) return 0;
    double bb[4] = {c[0] - c[2] / 2, c[1] - c[3] / 2, c[2], c[3]};
    put_box(w, i, bb, c[4], NULL);
    return 0;
  }
  case ANN_POLYGON: {
    uint32_t off = 0, outer = 0;
    for (uint32_t p = 0; p < d->p_n[i]; p++) {
      int32_t np = d->parts.v[d->p_off[i] + p];
      uint32_t cnt = (uint32_t)(np < 0 ? -np : np);
      if (np < 0) {
        diag_warn(w->g, "dropped: polygon hole", "%s: CVAT polygons have no holes", where);
      } else if (cnt >= 3 && off + 2 * cnt <= nc) {
        if (outer++ == 1) diag_warn(w->g, "split: multi-part polygon", "%s: written as one <polygon> per part", where);
        fputs("    <polygon", f);
        put_common(w, i);
        fputs(" points=\"", f);
        put_pairs(f, c + off, cnt, 2);
        fputc('"', f);
        put_children(w, i, "polygon", NULL);
      }
      off += 2 * cnt;
    }
    return 0;
  }
  case ANN_MASK:
    return put_mask(w, i, W, H);
  case ANN_KEYPOINTS:
    put_keypoints(w, i, where);
    return 0;
  case ANN_POLYLINE:
    if (!isnan(d->aux[i])) diag_warn(w->g, "dropped: polyline width", "%s: CVAT polylines have no width", where);
    fputs("    <polyline", f);
    put_common(w, i);
    fputs(" points=\"", f);
    put_pairs(f, c, nc / 2, 2);
    fputc('"', f);
    put_children(w, i, "polyline", NULL);
    return 0;
  case ANN_CUBOID:
    if (nc < 16) return 0;
    if (nc > 16) diag_warn(w->g, "dropped: cuboid 3D", "%s: CVAT image cuboids are 2D", where);
    fputs("    <cuboid", f);
    put_common(w, i);
    for (int k = 0; k < 16; k++) {
      fprintf(f, " %s=\"", cvat_cuboid_keys[k]);
      put_num(f, c[k]);
      fputc('"', f);
    }
    put_children(w, i, "cuboid", NULL);
    return 0;
  case ANN_TAG:
    fputs("    <tag", f);
    put_common(w, i);
    put_children(w, i, "tag", NULL);
    return 0;
  case ANN_TEXT: {
    const char *text = strpool_get(&d->str, d->text[i]);
    diag_warn(w->g, "converted: text to shape with a text attribute", "%s: CVAT has no text region", where);
    if (nc == 8) {
      fputs("    <polygon", f);
      put_common(w, i);
      fputs(" points=\"", f);
      put_pairs(f, c, 4, 2);
      fputc('"', f);
      put_children(w, i, "polygon", text);
    } else if (isfinite(b[0]) && isfinite(b[1]) && isfinite(b[2]) && isfinite(b[3])) {
      put_box(w, i, b, 0, text);
    }
    return 0;
  }
  default:
    return 0;
  }
}

/* Writes <meta> and one <image> per item to a staged file, then renames it. */
int cvat_write(const Dataset *d, const char *path, Diag *g, Err *e) {
  Writer w;
  memset(&w, 0, sizeof w);
  w.d = d;
  w.g = g;
  w.e = e;
  Staged o;
  uint32_t *start = NULL, *order = NULL;
  if (staged_begin(&o, path, 0, e) != 0) return -1;
  int rc = -1;
  if (collect_decls(&w) != 0 || field_by_item(d, &start, &order, e) != 0) goto done;
  w.f = staged_open(&o, NULL, e);
  if (!w.f) goto done;
  put_meta(&w);
  for (uint32_t it = 0; it < d->nitems && rc == -1; it++) {
    const Item *item = &d->items[it];
    uint32_t W = (uint32_t)(item->width > 0 ? item->width : 0), H = (uint32_t)(item->height > 0 ? item->height : 0);
    for (uint32_t k = start[it]; k < start[it + 1] && !W; k++) {
      uint32_t i = order[k];
      if (d->type[i] == ANN_MASK && d->g_n[i] >= 2) {
        H = (uint32_t)d->coords.v[d->g_off[i]];
        W = (uint32_t)d->coords.v[d->g_off[i] + 1];
      }
    }
    fprintf(w.f, "  <image id=\"%lld\" name=\"", (long long)item->id);
    xmlio_escape(w.f, strpool_get(&d->str, item->file));
    fputc('"', w.f);
    if (W && H) fprintf(w.f, " width=\"%u\" height=\"%u\"", W, H);
    if (item->subset) {
      fputs(" subset=\"", w.f);
      xmlio_escape(w.f, strpool_get(&d->str, item->subset));
      fputc('"', w.f);
    }
    fputs(">\n", w.f);
    for (uint32_t k = start[it]; k < start[it + 1]; k++)
      if (put_annotation(&w, order[k], W, H) != 0) goto done;
    fputs("  </image>\n", w.f);
  }
  fputs("</annotations>\n", w.f);
  FILE *f = w.f;
  w.f = NULL;
  if (staged_close(f, path, e) != 0) goto done;
  rc = staged_commit(&o, e);
done:
  if (w.f) fclose(w.f);
  if (rc != 0) staged_abort(&o);
  free(start);
  free(order);
  free(w.decls);
  free(w.px);
  return rc;
}
