// Tristate numbers: each operation against hand-computed bit patterns.
import {
  TNUM_UNKNOWN,
  formatTnum,
  tnum,
  tnumAdd,
  tnumAnd,
  tnumArshift,
  tnumConst,
  tnumIn,
  tnumIntersect,
  tnumIsAligned,
  tnumMul,
  tnumNextMember,
  tnumOr,
  tnumPrevMember,
  tnumRange,
  tnumSub,
  tnumXor,
} from '../src/domain/tnum';

const t = (v: number, m: number) => tnum(BigInt(v), BigInt(m));

describe('tnum arithmetic', () => {
  it.each([
    ['add consts', tnumAdd(t(3, 0), t(4, 0)), t(7, 0)],
    ['add unknown low bit', tnumAdd(t(0, 1), t(1, 0)), t(0, 3)],
    ['sub consts', tnumSub(t(10, 0), t(3, 0)), t(7, 0)],
    ['and keeps known zeros', tnumAnd(t(0, 0xff), t(0xf0, 0)), t(0, 0xf0)],
    ['or sets known ones', tnumOr(t(0, 0xf), t(0x10, 0)), t(0x10, 0xf)],
    ['xor', tnumXor(t(0b1100, 0b0011), t(0b1010, 0)), t(0b0100, 0b0011)],
    ['mul by 3 of a 1-bit unknown', tnumMul(t(0, 1), t(3, 0)), t(0, 3)],
    ['range 0..255', tnumRange(0n, 255n), t(0, 0xff)],
    ['range 16..31', tnumRange(16n, 31n), t(16, 0xf)],
    ['intersect', tnumIntersect(t(0, 0xff), t(0x10, 0x0f)), t(0x10, 0x0f)],
  ])('%s', (_name, have, want) => {
    expect(have).toEqual(want);
  });

  it('arithmetic shift right at 32 bits keeps the sign bit', () => {
    expect(tnumArshift(tnumConst(0x80000000n), 4, 32)).toEqual(tnumConst(0xf8000000n));
  });

  it('wraps at 64 bits', () => {
    expect(tnumAdd(tnumConst(2n ** 64n - 1n), tnumConst(1n))).toEqual(tnumConst(0n));
  });

  it.each([
    [t(0, 0xff), t(0x10, 0x0f), true],
    [t(0x10, 0x0f), t(0, 0xff), false],
    [TNUM_UNKNOWN, tnumConst(5n), true],
  ])('tnum_in(%o, %o) = %s', (a, b, want) => {
    expect(tnumIn(a, b)).toBe(want);
  });

  it('alignment', () => {
    expect(tnumIsAligned(t(8, 0xf0), 8)).toBe(true);
    expect(tnumIsAligned(t(8, 0x0f), 8)).toBe(false);
  });

  it('prints as the kernel log does', () => {
    expect(formatTnum(t(0, 0xff))).toBe('(0x0; 0xff)');
    expect(formatTnum(tnumConst(0n))).toBe('0');
    expect(formatTnum(tnumConst(16n))).toBe('0x10');
  });
});

describe('tnum members', () => {
  it.each([
    [t(0, 2), 1n, 2n],
    [t(0, 2), 3n, undefined],
    [t(1, 0xc), 2n, 5n],
    [t(0x10, 0x0f), 0n, 0x10n],
    [t(0, 0xff), 7n, 7n],
  ])('next member of %o from %s is %s', (a, x, want) => {
    expect(tnumNextMember(a, x)).toBe(want);
  });

  it.each([
    [t(0, 2), 1n, 0n],
    [t(1, 0xc), 12n, 9n],
    [t(0x10, 0x0f), 0x0fn, undefined],
  ])('previous member of %o up to %s is %s', (a, y, want) => {
    expect(tnumPrevMember(a, y)).toBe(want);
  });
});
