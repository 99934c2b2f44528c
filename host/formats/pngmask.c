/* PNG label images through libpng, and their per-class COCO RLE. */
#include "pngmask.h"

#include <png.h>
#include <setjmp.h>
#include <stdlib.h>
#include <string.h>

#include "confine.h"

/* libpng reports errors through this: the message is kept for Err. */
typedef struct PngErr {
  char msg[200];
} PngErr;

static void png_on_error(png_structp p, png_const_charp msg) {
  PngErr *pe = png_get_error_ptr(p);
  snprintf(pe->msg, sizeof pe->msg, "%s", msg);
  png_longjmp(p, 1);
}

static void png_on_warning(png_structp p, png_const_charp msg) {
  (void)p;
  (void)msg;
}

/* Converts the decoded rows (after png_set_packing) to class values. */
static int rows_to_values(const char *path, png_bytep buf, size_t rowbytes, uint32_t w, uint32_t h,
                          int channels, int depth, uint16_t *px, Err *e) {
  for (uint32_t y = 0; y < h; y++) {
    png_bytep row = buf + (size_t)y * rowbytes;
    for (uint32_t x = 0; x < w; x++) {
      uint32_t ch[4] = {0, 0, 0, 0};
      for (int c = 0; c < channels; c++) {
        size_t at = ((size_t)x * channels + c) * (depth == 16 ? 2 : 1);
        ch[c] = depth == 16 ? (uint32_t)row[at] << 8 | row[at + 1] : row[at];
      }
      /* gray + alpha: the alpha is ignored; RGB(A): the three must agree */
      if (channels >= 3 && (ch[0] != ch[1] || ch[1] != ch[2]))
        return err_set(e, "%s: pixel (%u, %u) is colour (%u, %u, %u); expected a label image of class ids "
                       "(gray, palette, or RGB with equal channels)", path, x, y, ch[0], ch[1], ch[2]);
      px[(size_t)y * w + x] = (uint16_t)ch[0];
    }
  }
  return 0;
}

/* libpng's classic API (the simplified one would turn palette indices into colours). */
int pngmask_read(const char *path, uint16_t **px, uint32_t *w, uint32_t *h, Err *e) {
  *px = NULL;
  FILE *f = confine_fopen(path, e);
  if (!f) return -1;
  unsigned char sig[8];
  if (fread(sig, 1, 8, f) != 8 || png_sig_cmp(sig, 0, 8) != 0) {
    fclose(f);
    return err_set(e, "%s: not a PNG file", path);
  }
  PngErr pe = {""};
  png_structp p = png_create_read_struct(PNG_LIBPNG_VER_STRING, &pe, png_on_error, png_on_warning);
  png_infop info = p ? png_create_info_struct(p) : NULL;
  if (!info) {
    png_destroy_read_struct(p ? &p : NULL, NULL, NULL);
    fclose(f);
    return err_nomem(e);
  }
  png_bytep volatile buf = NULL;
  uint16_t *volatile out = NULL;
  png_bytepp volatile rows = NULL;
  if (setjmp(png_jmpbuf(p))) {
    png_destroy_read_struct(&p, &info, NULL);
    free(buf);
    free(out);
    free(rows);
    fclose(f);
    return err_set(e, "%s: bad PNG: %s", path, pe.msg);
  }
  png_init_io(p, f);
  png_set_sig_bytes(p, 8);
  png_read_info(p, info);
  png_uint_32 ww = png_get_image_width(p, info), hh = png_get_image_height(p, info);
  int depth = png_get_bit_depth(p, info);
  if ((uint64_t)ww * hh > PNGMASK_MAX_PIXELS) {
    png_destroy_read_struct(&p, &info, NULL);
    fclose(f);
    return err_set(e, "%s: %ux%u is over annovet's limit of %llu pixels for a label image", path,
                   (unsigned)ww, (unsigned)hh, (unsigned long long)PNGMASK_MAX_PIXELS);
  }
  if (depth < 8) png_set_packing(p);           /* one byte per value, values unchanged */
  png_set_interlace_handling(p);
  png_read_update_info(p, info);
  size_t rowbytes = png_get_rowbytes(p, info);
  int channels = png_get_channels(p, info);
  size_t need = rowbytes * hh + sizeof *rows * ((size_t)hh + 1) + sizeof *out * ((size_t)ww * hh + 1);
  if (confine_reserve(need, e) != 0) {   /* a small file may hold a huge picture */
    png_destroy_read_struct(&p, &info, NULL);
    fclose(f);
    return -1;
  }
  buf = malloc(rowbytes * hh + 1);
  rows = malloc(sizeof *rows * ((size_t)hh + 1));
  out = malloc(sizeof *out * ((size_t)ww * hh + 1));
  if (!buf || !rows || !out) png_error(p, "out of memory");
  for (png_uint_32 y = 0; y < hh; y++) rows[y] = buf + (size_t)y * rowbytes;
  png_read_image(p, rows);
  png_read_end(p, NULL);
  png_destroy_read_struct(&p, &info, NULL);
  fclose(f);
  int rc = rows_to_values(path, buf, rowbytes, ww, hh, channels, depth, out, e);
  free(rows);
  free(buf);
  if (rc != 0) {
    free(out);
    return -1;
  }
  *px = out;
  *w = ww;
  *h = hh;
  return 0;
}

/* Gray PNG, 8 bits unless a value needs 16, written row by row. */
int pngmask_write(FILE *f, const char *name, const uint16_t *px, uint32_t w, uint32_t h, Err *e) {
  size_t n = (size_t)w * h;
  volatile int deep = 0;
  for (size_t i = 0; i < n; i++)
    if (px[i] > 255) {
      deep = 1;
      break;
    }
  PngErr pe = {""};
  png_structp p = png_create_write_struct(PNG_LIBPNG_VER_STRING, &pe, png_on_error, png_on_warning);
  png_infop info = p ? png_create_info_struct(p) : NULL;
  if (!info) {
    png_destroy_write_struct(p ? &p : NULL, NULL);
    return err_nomem(e);
  }
  png_bytep volatile row = NULL;
  if (setjmp(png_jmpbuf(p))) {
    png_destroy_write_struct(&p, &info);
    free(row);
    return err_set(e, "%s: cannot write PNG: %s", name, pe.msg);
  }
  png_init_io(p, f);
  png_set_IHDR(p, info, w, h, deep ? 16 : 8, PNG_COLOR_TYPE_GRAY, PNG_INTERLACE_NONE,
               PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
  png_write_info(p, info);
  row = malloc((size_t)w * (deep ? 2 : 1) + 1);
  if (!row) png_error(p, "out of memory");
  for (uint32_t y = 0; y < h; y++) {
    const uint16_t *src = px + (size_t)y * w;
    for (uint32_t x = 0; x < w; x++) {
      if (deep) {
        row[2 * (size_t)x] = (png_byte)(src[x] >> 8);
        row[2 * (size_t)x + 1] = (png_byte)(src[x] & 0xFF);
      } else {
        row[x] = (png_byte)src[x];
      }
    }
    png_write_row(p, row);
  }
  png_write_end(p, NULL);
  png_destroy_write_struct(&p, &info);
  free(row);
  return 0;
}

/* Per value while splitting: where its runs of 1s start and end. */
typedef struct Bounds {
  uint32_t *b;
  size_t n, cap;
  uint32_t x0, y0, x1, y1;
  uint64_t area;
} Bounds;

/* Appends a run boundary, growing the list. */
static int bounds_push(Bounds *s, uint32_t pos, Err *e) {
  if (s->n == s->cap) {
    size_t cap = s->cap ? s->cap * 2 : 16;
    uint32_t *b = err_realloc(e, s->b, cap, sizeof *b);
    if (!b) return -1;
    s->b = b;
    s->cap = cap;
  }
  s->b[s->n++] = pos;
  return 0;
}

/* Walks pixels column by column (COCO's order); a change of value at position
 * pos ends a run of the old value and starts one of the new. */
int pngmask_split(const uint16_t *px, uint32_t w, uint32_t h, MaskClass **out, size_t *nout, Err *e) {
  *out = NULL;
  *nout = 0;
  uint64_t npx = (uint64_t)w * h;
  if (npx > PNGMASK_MAX_PIXELS) return err_set(e, "label image over %llu pixels", (unsigned long long)PNGMASK_MAX_PIXELS);
  int32_t *slot = err_malloc(e, 65536 * sizeof *slot);
  if (!slot) return -1;
  for (int i = 0; i < 65536; i++) slot[i] = -1;
  Bounds *bs = NULL;
  size_t nb = 0;
  int rc = -1;
  int prev = -1;
  uint32_t pos = 0;
  for (uint32_t x = 0; x < w; x++)
    for (uint32_t y = 0; y < h; y++, pos++) {
      uint16_t v = px[(size_t)y * w + x];
      if (slot[v] < 0) {
        Bounds *nbs = err_realloc(e, bs, nb + 1, sizeof *bs);
        if (!nbs) goto done;
        bs = nbs;
        memset(&bs[nb], 0, sizeof bs[nb]);
        bs[nb].x0 = x;
        bs[nb].y0 = y;
        slot[v] = (int32_t)nb++;
      }
      Bounds *s = &bs[slot[v]];
      if (v != prev) {
        if (prev >= 0 && bounds_push(&bs[slot[prev]], pos, e) != 0) goto done;
        if (bounds_push(s, pos, e) != 0) goto done;
        prev = v;
      }
      s->area++;
      if (x < s->x0) s->x0 = x;
      if (y < s->y0) s->y0 = y;
      if (x > s->x1) s->x1 = x;
      if (y > s->y1) s->y1 = y;
    }
  MaskClass *mc = err_calloc(e, nb ? nb : 1, sizeof *mc);
  if (!mc) goto done;
  size_t k = 0;
  for (int v = 0; v < 65536; v++) {
    if (slot[v] < 0) continue;
    Bounds *s = &bs[slot[v]];
    MaskClass *c = &mc[k++];
    c->value = (uint16_t)v;
    c->ncnts = s->n + 1;
    c->cnts = err_malloc(e, c->ncnts * sizeof *c->cnts);
    if (!c->cnts) {
      pngmask_free(mc, k);
      goto done;
    }
    uint32_t last = 0;
    for (size_t i = 0; i < s->n; i++) {
      c->cnts[i] = s->b[i] - last;
      last = s->b[i];
    }
    c->cnts[s->n] = (uint32_t)(npx - last);
    c->area = s->area;
    c->bbox[0] = s->x0;
    c->bbox[1] = s->y0;
    c->bbox[2] = (double)s->x1 - s->x0 + 1;
    c->bbox[3] = (double)s->y1 - s->y0 + 1;
  }
  *out = mc;
  *nout = nb;
  rc = 0;
done:
  for (size_t i = 0; i < nb; i++) free(bs[i].b);
  free(bs);
  free(slot);
  return rc;
}

void pngmask_free(MaskClass *c, size_t n) {
  if (!c) return;
  for (size_t i = 0; i < n; i++) free(c[i].cnts);
  free(c);
}

/* Walks the runs in column-major order; odd runs are 1s. */
int pngmask_paint(uint16_t *px, uint8_t *painted, uint32_t w, uint32_t h, const uint32_t *cnts,
                  size_t m, uint16_t value, uint64_t *overlap, Err *e) {
  uint64_t npx = (uint64_t)w * h, sum = 0;
  for (size_t i = 0; i < m; i++) sum += cnts[i];
  if (sum != npx)
    return err_set(e, "mask runs add up to %llu pixels, not %ux%u = %llu", (unsigned long long)sum, w,
                   h, (unsigned long long)npx);
  uint64_t pos = 0;
  for (size_t i = 0; i < m; i++) {
    if (i % 2 == 1)
      for (uint64_t p = pos; p < pos + cnts[i]; p++) {
        size_t at = (size_t)(p % h) * w + (size_t)(p / h);
        if (painted) {
          if (painted[at] && overlap) (*overlap)++;
          painted[at] = 1;
        }
        px[at] = value;
      }
    pos += cnts[i];
  }
  return 0;
}
