/* Numbers as text: the shortest decimal that reads back to the same double. */
#ifndef ANNOVET_NUMFMT_H
#define ANNOVET_NUMFMT_H

#include <stddef.h>

#define NUMFMT_MAX 32   /* enough for any double in %.17g plus a sign and ".0" */

/* Writes the shortest of %.15g, %.16g, %.17g that round-trips through strtod
 * (from %.1g for subnormals, which need fewer digits: 5e-324).
 * Integral values keep a ".0" when keep_point is set, so a reader can tell
 * floats from integers. Returns the length, or -1 for NaN and infinities. */
int num_fmt(char buf[NUMFMT_MAX], double v, int keep_point);

#endif
