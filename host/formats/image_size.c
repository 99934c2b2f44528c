/* Image headers: PNG IHDR, JPEG SOFn (with EXIF orientation), BMP, GIF, WebP. */
#include "image_size.h"

#include <stdio.h>
#include <string.h>

#include "confine.h"

static uint32_t be16(const unsigned char *p) { return (uint32_t)p[0] << 8 | p[1]; }
static uint32_t le16(const unsigned char *p) { return (uint32_t)p[1] << 8 | p[0]; }
static uint32_t be32(const unsigned char *p) { return be16(p) << 16 | be16(p + 2); }
static uint32_t le32(const unsigned char *p) { return le16(p + 2) << 16 | le16(p); }

/* Orientation (1..8) from an EXIF APP1 payload (after "Exif\0\0"), 1 when absent. */
static int exif_orientation(const unsigned char *t, size_t n) {
  if (n < 8) return 1;
  int le;
  if (t[0] == 'I' && t[1] == 'I') le = 1;
  else if (t[0] == 'M' && t[1] == 'M') le = 0;
  else return 1;
  uint32_t ifd = le ? le32(t + 4) : be32(t + 4);
  if (ifd > n - 2) return 1;
  uint32_t count = le ? le16(t + ifd) : be16(t + ifd);
  for (uint32_t i = 0; i < count; i++) {
    size_t at = (size_t)ifd + 2 + (size_t)i * 12;
    if (at + 12 > n) break;
    uint32_t tag = le ? le16(t + at) : be16(t + at);
    if (tag == 0x0112) {
      uint32_t v = le ? le16(t + at + 8) : be16(t + at + 8);
      return v >= 1 && v <= 8 ? (int)v : 1;
    }
  }
  return 1;
}

/* Walks JPEG marker segments up to the first frame header (SOF0..SOF15 but
 * DHT C4, JPG C8 and DAC CC), noting the EXIF orientation on the way. */
static int jpeg_size(FILE *f, int32_t *w, int32_t *h) {
  int orient = 1;
  for (;;) {
    int c = fgetc(f);
    if (c != 0xFF) return -1;
    while ((c = fgetc(f)) == 0xFF) {}
    if (c == EOF) return -1;
    if (c == 0xD8 || (c >= 0xD0 && c <= 0xD7) || c == 0x01) continue;   /* no length */
    if (c == 0xD9 || c == 0xDA) return -1;                               /* EOI, SOS: no frame */
    unsigned char lb[2];
    if (fread(lb, 1, 2, f) != 2) return -1;
    uint32_t len = be16(lb);
    if (len < 2) return -1;
    len -= 2;
    if (c >= 0xC0 && c <= 0xCF && c != 0xC4 && c != 0xC8 && c != 0xCC) {
      unsigned char sof[5];
      if (len < 5 || fread(sof, 1, 5, f) != 5) return -1;
      uint32_t hh = be16(sof + 1), ww = be16(sof + 3);
      if (!ww || !hh) return -1;
      int swap = orient >= 5;
      *w = (int32_t)(swap ? hh : ww);
      *h = (int32_t)(swap ? ww : hh);
      return 0;
    }
    if (c == 0xE1 && len >= 14) {
      unsigned char seg[65536];
      if (fread(seg, 1, len, f) != len) return -1;
      if (memcmp(seg, "Exif\0\0", 6) == 0) orient = exif_orientation(seg + 6, len - 6);
      continue;
    }
    if (fseek(f, (long)len, SEEK_CUR) != 0) return -1;
  }
}

/* Tells the format by its signature, then reads the size where that format keeps it. */
int image_size_read(const char *path, int32_t *w, int32_t *h) {
  FILE *f = confine_fopen(path, NULL);
  if (!f) return -1;
  unsigned char b[32];
  size_t n = fread(b, 1, sizeof b, f);
  int r = -1;
  uint32_t ww = 0, hh = 0;
  if (n >= 24 && memcmp(b, "\x89PNG\r\n\x1a\n", 8) == 0 && memcmp(b + 12, "IHDR", 4) == 0) {
    ww = be32(b + 16);
    hh = be32(b + 20);
    r = 0;
  } else if (n >= 3 && b[0] == 0xFF && b[1] == 0xD8) {
    if (fseek(f, 2, SEEK_SET) == 0 && jpeg_size(f, w, h) == 0) {
      fclose(f);
      return 0;
    }
  } else if (n >= 26 && b[0] == 'B' && b[1] == 'M') {
    int32_t sh = (int32_t)le32(b + 22);
    ww = le32(b + 18);
    hh = (uint32_t)(sh < 0 ? -(int64_t)sh : sh);
    r = 0;
  } else if (n >= 10 && memcmp(b, "GIF8", 4) == 0) {
    ww = le16(b + 6);
    hh = le16(b + 8);
    r = 0;
  } else if (n >= 30 && memcmp(b, "RIFF", 4) == 0 && memcmp(b + 8, "WEBP", 4) == 0) {
    if (memcmp(b + 12, "VP8X", 4) == 0) {
      ww = 1 + (b[24] | (uint32_t)b[25] << 8 | (uint32_t)b[26] << 16);
      hh = 1 + (b[27] | (uint32_t)b[28] << 8 | (uint32_t)b[29] << 16);
      r = 0;
    } else if (memcmp(b + 12, "VP8L", 4) == 0 && b[20] == 0x2F) {
      uint32_t bits = le32(b + 21);
      ww = 1 + (bits & 0x3FFF);
      hh = 1 + ((bits >> 14) & 0x3FFF);
      r = 0;
    } else if (memcmp(b + 12, "VP8 ", 4) == 0 && b[23] == 0x9D && b[24] == 0x01 && b[25] == 0x2A) {
      ww = le16(b + 26) & 0x3FFF;
      hh = le16(b + 28) & 0x3FFF;
      r = 0;
    }
  }
  fclose(f);
  if (r != 0 || ww == 0 || hh == 0 || ww > INT32_MAX || hh > INT32_MAX) return -1;
  *w = (int32_t)ww;
  *h = (int32_t)hh;
  return 0;
}
