// syncBounds (reg_bounds_sync with shortcuts for constants and unknown
// scalars) against syncBoundsFull (every deduction, in the kernel's order),
// on random tnums and bounds: consistent ones, contradictory ones, constants
// and the fully unknown scalar.
import fc from 'fast-check';
import { S32_MAX, S32_MIN, S64_MAX, S64_MIN, U32_MAX, U64_MAX, s32, s64, u32 } from '../src/domain/num';
import { tnum } from '../src/domain/tnum';
import { syncBounds, syncBoundsFull, type Bounds } from '../src/state/reg-state';

const u64Arb = fc.oneof(
  fc.bigInt({ min: 0n, max: U64_MAX }),
  fc.bigInt({ min: 0n, max: 0xffffn }),
  fc.constantFrom(0n, 1n, U32_MAX, U32_MAX + 1n, S64_MAX, 1n << 63n, U64_MAX, 0x80000000n, 0x7fffffffn),
);
const maskArb = fc.oneof(
  fc.constant(0n),
  fc.constant(U64_MAX),
  fc.integer({ min: 0, max: 64 }).map((n) => (1n << BigInt(n)) - 1n),
  fc.bigInt({ min: 0n, max: U64_MAX }),
);

/** An interval [lo, hi] in a range, sometimes empty (lo > hi), sometimes the whole range. */
const interval = (lo: bigint, hi: bigint): fc.Arbitrary<[bigint, bigint]> =>
  fc.oneof(
    fc.constant<[bigint, bigint]>([lo, hi]),
    fc.tuple(fc.bigInt({ min: lo, max: hi }), fc.bigInt({ min: lo, max: hi })).map(([a, b]): [bigint, bigint] => (a <= b ? [a, b] : [b, a])),
    fc.tuple(fc.bigInt({ min: lo, max: hi }), fc.bigInt({ min: lo, max: hi })),
  );

/** Bounds around a value `c`: exactly c, or intervals holding c, or anything. */
const boundsArb: fc.Arbitrary<Bounds> = fc.oneof(
  // a constant with its own bounds, or with wider ones
  fc.tuple(u64Arb, fc.boolean()).map(([c, wide]) => ({
    varOff: tnum(c, 0n),
    smin: wide ? S64_MIN : s64(c),
    smax: wide ? S64_MAX : s64(c),
    umin: wide ? 0n : c,
    umax: wide ? U64_MAX : c,
    s32min: wide ? S32_MIN : s32(c),
    s32max: wide ? S32_MAX : s32(c),
    u32min: wide ? 0n : u32(c),
    u32max: wide ? U32_MAX : u32(c),
  })),
  // any tnum, any bounds (consistent or not)
  fc
    .record({
      v: u64Arb,
      m: maskArb,
      s: interval(S64_MIN, S64_MAX),
      u: interval(0n, U64_MAX),
      s32: interval(S32_MIN, S32_MAX),
      u32: interval(0n, U32_MAX),
    })
    .map(({ v, m, s, u, s32: s3, u32: u3 }) => ({
      varOff: tnum(v & ~m, m),
      smin: s[0],
      smax: s[1],
      umin: u[0],
      umax: u[1],
      s32min: s3[0],
      s32max: s3[1],
      u32min: u3[0],
      u32max: u3[1],
    })),
);

test('syncBounds = syncBoundsFull', () => {
  fc.assert(
    fc.property(boundsArb, (b) => {
      const fast = { ...b };
      const full = { ...b };
      syncBounds(fast);
      syncBoundsFull(full);
      expect(fast).toEqual(full);
    }),
    { numRuns: 20000 },
  );
});

test('the unknown scalar and constants take the shortcut and keep their meaning', () => {
  const unknown: Bounds = { varOff: tnum(0n, U64_MAX), smin: S64_MIN, smax: S64_MAX, umin: 0n, umax: U64_MAX, s32min: S32_MIN, s32max: S32_MAX, u32min: 0n, u32max: U32_MAX };
  const full = { ...unknown };
  syncBoundsFull(full);
  expect(full).toEqual(unknown);
  const c: Bounds = { ...unknown, varOff: tnum(0xfffffffffffffffen, 0n) };
  syncBounds(c);
  expect(c).toEqual({ varOff: tnum(0xfffffffffffffffen, 0n), smin: -2n, smax: -2n, umin: 0xfffffffffffffffen, umax: 0xfffffffffffffffen, s32min: -2n, s32max: -2n, u32min: 0xfffffffen, u32max: 0xfffffffen });
});
