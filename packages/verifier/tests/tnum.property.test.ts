// The fast tnum operations against the straightforward versions they
// replaced, on random tnums: the closed-form member search (tnumNextMember /
// tnumPrevMember) against the bit-by-bit enumeration, and tnumMul against the
// kernel's tnum_mul loop as first written.
import fc from 'fast-check';
import { tnum, tnumAdd, tnumLshift, tnumMul, tnumNextMember, tnumPrevMember, tnumRshift, type Tnum } from '../src/domain/tnum';

/** `tnum_mul` as the kernel writes it: every step through tnumAdd, no shortcut. */
function mulByLoop(a0: Tnum, b0: Tnum): Tnum {
  let a = a0;
  let b = b0;
  const accV = BigInt.asUintN(64, a.value * b.value);
  let accM: Tnum = { value: 0n, mask: 0n };
  while (a.value !== 0n || a.mask !== 0n) {
    if ((a.value & 1n) === 1n) accM = tnumAdd(accM, { value: 0n, mask: b.mask });
    else if ((a.mask & 1n) === 1n) accM = tnumAdd(accM, { value: 0n, mask: b.value | b.mask });
    a = tnumRshift(a, 1);
    b = tnumLshift(b, 1);
  }
  return tnumAdd({ value: accV, mask: 0n }, accM);
}

/** The former implementation: walks the bits from the top, remembering the last place it could round up. */
function nextMemberByBits(a: Tnum, x: bigint, bits: number): bigint | undefined {
  let prefix = 0n;
  let best: bigint | undefined;
  for (let bit = bits - 1; bit >= 0; bit--) {
    const b = 1n << BigInt(bit);
    const low = b - 1n;
    const xb = x & b;
    if (a.mask & b) {
      if (!xb) best = prefix | b | (a.value & low);
      else prefix |= b;
    } else {
      const vb = a.value & b;
      if (vb && !xb) return prefix | b | (a.value & low);
      if (!vb && xb) return best;
      prefix |= vb;
    }
  }
  return x;
}

/** Smallest member >= x by trying every value: for tnums of a few bits. */
function nextMemberBrute(a: Tnum, x: bigint, bits: number): bigint | undefined {
  for (let y = x; y < 1n << BigInt(bits); y++) if ((y & ~a.mask) === a.value) return y;
  return undefined;
}

/** Largest member <= x by trying every value. */
function prevMemberBrute(a: Tnum, x: bigint): bigint | undefined {
  for (let y = x; y >= 0n; y--) if ((y & ~a.mask) === a.value) return y;
  return undefined;
}

const BITS = [64, 32] as const;

/** A tnum of `bits` bits: sparse, dense or a contiguous low mask, as the verifier meets them. */
const arbTnum = (bits: number): fc.Arbitrary<Tnum> => {
  const word = fc.bigInt({ min: 0n, max: (1n << BigInt(bits)) - 1n });
  const lowMask = fc.integer({ min: 0, max: bits }).map((n) => (1n << BigInt(n)) - 1n);
  return fc
    .tuple(word, fc.oneof(word, lowMask, fc.tuple(word, word).map(([p, q]) => p & q)))
    .map(([v, m]) => tnum(v & ~m, m));
};

/** A bound: anywhere, or close to a member of `a`. */
const arbNear = (a: Tnum, bits: number): fc.Arbitrary<bigint> => {
  const top = (1n << BigInt(bits)) - 1n;
  const clamp = (x: bigint): bigint => (x < 0n ? 0n : x > top ? top : x);
  return fc.oneof(
    fc.bigInt({ min: 0n, max: top }),
    fc.tuple(fc.bigInt({ min: 0n, max: top }), fc.integer({ min: -3, max: 3 })).map(([s, d]) => clamp((a.value | (s & a.mask)) + BigInt(d))),
  );
};

describe.each(BITS)('tnum members at %i bits', (bits) => {
  const caseArb = arbTnum(bits).chain((a) => fc.tuple(fc.constant(a), arbNear(a, bits)));

  it('next member: closed form = bit enumeration', () => {
    fc.assert(
      fc.property(caseArb, ([a, x]) => {
        expect(tnumNextMember(a, x, bits)).toBe(nextMemberByBits(a, x, bits));
      }),
      { numRuns: 5000 },
    );
  });

  it('previous member: the mirror of the enumeration', () => {
    const all = (1n << BigInt(bits)) - 1n;
    fc.assert(
      fc.property(caseArb, ([a, y]) => {
        const r = nextMemberByBits({ value: ~a.value & ~a.mask & all, mask: a.mask }, ~y & all, bits);
        expect(tnumPrevMember(a, y, bits)).toBe(r === undefined ? undefined : ~r & all);
      }),
      { numRuns: 5000 },
    );
  });
});

it('next and previous member: closed form = brute force on every 5-bit tnum and bound', () => {
  for (let m = 0n; m < 32n; m++) {
    for (let v = 0n; v < 32n; v++) {
      if ((v & m) !== 0n) continue;
      for (let x = 0n; x < 32n; x++) {
        const a = tnum(v, m);
        const want = nextMemberBrute(a, x, 5);
        expect([v, m, x, tnumNextMember(a, x, 5)]).toEqual([v, m, x, want]);
        expect(nextMemberByBits(a, x, 5)).toBe(want);
        expect([v, m, x, tnumPrevMember(a, x, 5)]).toEqual([v, m, x, prevMemberBrute(a, x)]);
      }
    }
  }
});

describe('tnum multiplication', () => {
  const any = fc.oneof(arbTnum(64), arbTnum(32), arbTnum(8), fc.bigInt({ min: 0n, max: (1n << 64n) - 1n }).map((v) => tnum(v, 0n)));
  it('tnumMul = the tnum_mul loop', () => {
    fc.assert(
      fc.property(any, any, (a, b) => {
        expect(tnumMul(a, b)).toEqual(mulByLoop(a, b));
      }),
      { numRuns: 5000 },
    );
  });
});
