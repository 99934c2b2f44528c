/* libFuzzer target: the RLE string codec (host/core/rle.c). The input is a COCO
 * compressed counts string, decoded by rle_from_string and checked by
 * rle_string_check, which must agree with each other and with the plain
 * one-character-at-a-time decoder below (pycocotools' rleFrString with the
 * checks annovet adds); when it decodes, the runs are also laid out as a
 * mask (h from the first byte, w = sum / h when that divides) and taken through
 * check, decode, encode, area, box, merge and IoU, and the string codec must
 * give the same runs back. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "rle.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The reference: runs into out (room for size), or -1 at the first fault. */
static long plain_decode(const uint8_t *s, size_t size, uint32_t *out) {
  size_t p = 0, n = 0;
  while (p < size) {
    int64_t x = 0;
    int k = 0, more = 1;
    uint32_t c = 0;
    while (more) {
      if (p >= size || k == 7) return -1;
      c = (uint32_t)s[p++] - 48u;
      if (c > 63) return -1;
      x |= (int64_t)(c & 0x1f) << (5 * k);
      more = c & 0x20;
      k++;
    }
    if (c & 0x10) x -= (int64_t)1 << (5 * k);
    if (n > 2) x += out[n - 2];
    if (x < 0 || x > UINT32_MAX) return -1;
    out[n++] = (uint32_t)x;
  }
  return (long)n;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  Err e = {0};
  uint32_t *cnts = NULL;
  size_t m = 0;
  uint32_t *ref = malloc((size ? size : 1) * sizeof *ref);
  if (!ref) abort();
  long nref = plain_decode(data, size, ref);
  size_t mc;
  uint64_t sumc;
  Err ec = {0};
  int checked = rle_string_check((const char *)data, size, &mc, &sumc, &ec);
  if (rle_from_string((const char *)data, size, &cnts, &m, &e) != 0) {
    /* a fault for the reference too, said the same way by the check */
    if (!e.msg[0] || nref >= 0 || checked == 0 || strcmp(e.msg, ec.msg) != 0) abort();
    free(ref);
    return 0;
  }
  uint64_t sumr = 0;
  for (long i = 0; i < nref; i++) sumr += ref[i];
  if (nref < 0 || (size_t)nref != m || (m && memcmp(ref, cnts, m * sizeof *cnts) != 0) || checked != 0 ||
      mc != m || sumc != sumr)
    abort();
  free(ref);
  /* the encoder's string decodes to the same runs */
  char *s = rle_to_string(cnts, m, &e);
  if (!s) abort();
  uint32_t *back = NULL;
  size_t mb = 0;
  if (rle_from_string(s, strlen(s), &back, &mb, &e) != 0 || mb != m ||
      (m && memcmp(back, cnts, m * sizeof *cnts) != 0))
    abort();
  free(back);
  free(s);
  uint64_t sum = 0;
  for (size_t i = 0; i < m; i++) sum += cnts[i];
  uint32_t h = size ? (uint32_t)data[0] % 16 + 1 : 1;
  if (sum > 0 && sum <= (1u << 20) && sum % h == 0) {
    Rle r = {h, (uint32_t)(sum / h), m, cnts};
    if (rle_check(&r, &e) != 0) abort();
    uint8_t *mask = malloc((size_t)sum);
    if (!mask) abort();
    if (rle_decode(&r, mask, &e) != 0) abort();
    Rle enc = {0}, mg = {0};
    if (rle_encode(mask, r.h, r.w, &enc, &e) != 0 || rle_area(&enc) != rle_area(&r)) abort();
    int plain = rle_area(&r) > 0;   /* boxes and IoU keep pycocotools' quirks on empty runs */
    for (size_t i = 1; i < m; i++) plain &= cnts[i] > 0;
    double bb[4], bb2[4];
    rle_to_bbox(&r, bb);
    rle_to_bbox(&enc, bb2);
    if (plain && memcmp(bb, bb2, sizeof bb) != 0) abort();
    Rle two[2] = {r, enc};
    if (rle_merge(two, 2, (int)(data[0] & 1), &mg, &e) != 0 || rle_area(&mg) != rle_area(&r)) abort();
    double iou;
    uint8_t crowd = 0;
    if (rle_iou(&r, 1, &enc, 1, &crowd, &iou, &e) != 0) abort();
    if (plain && iou != 1.0) abort();
    rle_free(&enc);
    rle_free(&mg);
    free(mask);
  }
  free(cnts);
  return 0;
}
