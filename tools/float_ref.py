#!/usr/bin/env python3
"""Decimal texts and the doubles Python's float() makes of them, for the spec
that checks annovet's JSON number reading bit for bit (tests/json_numbers_spec.lua).

Python's float() of a string is correctly rounded (David Gay's algorithm, as in
CPython's dtoa.c), so its bits are the reference: every text is a valid JSON
number (RFC 8259) whose double is finite. The texts, from a seeded generator:
  - random doubles (any bit pattern, subnormals included) written with %.17g;
  - random doubles in 0..4000 written with %.17g and with 0..6 decimals (COCO's
    coordinates look like that);
  - random decimals of 1 to 25 digits, the point anywhere, leading zeros in the
    fraction, trailing zeros, exponents with e/E, signs and leading zeros, around
    the fast path's limits (|e| <= 22, significand <= 2^53, 19 digits) and near
    the ends of the range;
  - significands around 2^53, 10^15..10^19 and 2^64 times 10^-25..10^25;
  - named cases: -0, 1e22, 1e23, 2^53 + 1 (a tie, to even), the smallest
    subnormal and the ties around it, the largest double, 0.1 in full, 1 + 2^-53
    exactly (a tie) and just above it, very long mantissas.

  /usr/bin/python3 tools/float_ref.py [--seed 1] > tests/data/numbers/float_cases.txt

Prints one case a line: TEXT HEX, HEX the 16 hex digits of the IEEE double
(struct.pack('>d', float(TEXT)).hex()), after a header of '#' lines.
"""
import argparse
import math
import random
import struct
import sys


def bits(x):
    return struct.pack('>d', x).hex()


def decimal_text(r):
    """A random JSON number: 1-25 significant digits, point and exponent anywhere."""
    nd = r.randint(1, 25)
    digits = str(r.randint(1, 9)) + ''.join(str(r.randint(0, 9)) for _ in range(nd - 1))
    if r.random() < 0.2:
        digits += '0' * r.randint(1, 6)             # trailing zeros
    point = r.randint(0, len(digits))
    sign = '-' if r.random() < 0.3 else ''
    if point == 0:
        text = '0.' + '0' * r.randint(0, 5) + digits
    elif point == len(digits):
        text = digits
    else:
        text = digits[:point] + '.' + digits[point:]
    if r.random() < 0.6:
        e = r.choice([r.randint(-30, 30), r.randint(-330, -280), r.randint(280, 300)])
        es = str(abs(e))
        if r.random() < 0.1:
            es = '0' + es
        esign = '-' if e < 0 else r.choice(['', '+'])
        text += r.choice('eE') + esign + es
    return sign + text


NAMED = [
    '0', '-0', '0.0', '-0.0', '0e0', '-0E+5', '0.000e-400',
    '1', '-1', '0.1', '0.2', '0.3', '1.5', '2.5e-3',
    '1e22', '1e23', '-1e22', '9e22', '1E+0022', '1e-22', '1e-23',
    '123456789012345e22', '123456789012345e23', '9007199254740991e22',
    '9007199254740991', '9007199254740992', '9007199254740993', '9007199254740994',
    '9007199254740995', '9007199254740993e0', '-9007199254740993',
    '18446744073709551615', '18446744073709551616', '99999999999999999999',
    '4.9e-324', '5e-324', '2.4703282292062328e-324', '2.4703282292062327e-324',
    '2.2250738585072011e-308', '2.2250738585072014e-308', '2.2250738585072009e-308',
    '1.7976931348623157e308', '1.7976931348623158e308', '-1.7976931348623157e+308',
    '1e-400', '-1e-400',
    '0.1000000000000000055511151231257827021181583404541015625',
    '0.1000000000000000055511151231257827021181583404541015624',
    '0.1000000000000000055511151231257827021181583404541015626',
    '1.00000000000000011102230246251565404236316680908203125',
    '1.00000000000000011102230246251565404236316680908203126',
    '1.00000000000000011102230246251565404236316680908203124',
    '3.14159265358979323846264338327950288419716939937510582097494459230781640628620899',
    '0.' + '0' * 300 + '1', '1' + '0' * 300, '1' + '0' * 300 + 'e-300',
    '123.450000000000000000000000000', '0.000000000000000000000000000000000000123e40',
]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--seed', type=int, default=1)
    a = ap.parse_args()
    r = random.Random(a.seed)
    texts = list(NAMED)
    while len(texts) < len(NAMED) + 800:              # any bit pattern
        x = struct.unpack('>d', r.getrandbits(64).to_bytes(8, 'big'))[0]
        if math.isfinite(x):
            texts.append('%.17g' % x)
    for _ in range(800):                              # coordinates
        x = r.uniform(0, 4000)
        texts.append('%.17g' % x)
        texts.append('%.*f' % (r.randint(0, 6), x))
    decimals = []
    while len(decimals) < 2000:                       # decimals (finite ones)
        t = decimal_text(r)
        if math.isfinite(float(t)):
            decimals.append(t)
    texts += decimals
    for w in [2**53 - 1, 2**53, 2**53 + 1, 2**53 + 2, 10**15, 10**16 - 1, 10**16 + 1,
              10**19 - 1, 10**19, 2**64 - 1, 2**64 + 1]:
        for e in range(-25, 26):
            texts.append('%de%d' % (w, e))
    print('# TEXT HEX: HEX = struct.pack(">d", float(TEXT)).hex(), Python %s' % '.'.join(
        map(str, sys.version_info[:3])))
    print('# made by: /usr/bin/python3 tools/float_ref.py --seed %d' % a.seed)
    for t in texts:
        x = float(t)
        assert math.isfinite(x), t
        print(t, bits(x))


if __name__ == '__main__':
    main()
