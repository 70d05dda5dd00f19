/**
 * Tristate numbers (`struct tnum`): what is known about each bit of a 64-bit
 * value. A bit set in `mask` is unknown; a bit clear in `mask` has the value
 * of the same bit of `value`. `value & mask` is always 0.
 *
 * ```
 *   value 0b0100   mask 0b0011   →   the value is one of 0b0100..0b0111
 * ```
 *
 * The operations follow the kernel's tnum arithmetic so that the verifier
 * knows exactly the bits the kernel knows.
 */
import { U64_MAX, u32, u64 } from './num';

/** A tristate number: both fields are unsigned 64-bit. */
export interface Tnum {
  readonly value: bigint;
  readonly mask: bigint;
}

/** Builds a tnum (the fields are truncated to 64 bits). */
export const tnum = (value: bigint, mask: bigint): Tnum => ({ value: u64(value), mask: u64(mask) });

/** Nothing known (`tnum_unknown`). */
export const TNUM_UNKNOWN: Tnum = Object.freeze({ value: 0n, mask: U64_MAX });

/** A known constant (`tnum_const`). */
export const tnumConst = (v: bigint): Tnum => ({ value: u64(v), mask: 0n });

/** Bit length of the highest set bit (`fls64`). */
function fls64(x: bigint): number {
  return x === 0n ? 0 : x.toString(2).length;
}

/** The tightest tnum holding every value of [min, max] (unsigned). */
export function tnumRange(min: bigint, max: bigint): Tnum {
  const chi = u64(min) ^ u64(max);
  const bits = fls64(chi);
  if (bits > 63) return TNUM_UNKNOWN;
  const delta = (1n << BigInt(bits)) - 1n;
  return { value: u64(min) & ~delta & U64_MAX, mask: delta };
}

export const tnumIsConst = (a: Tnum): boolean => a.mask === 0n;
export const tnumIsUnknown = (a: Tnum): boolean => a.mask === U64_MAX;
export const tnumEqualsConst = (a: Tnum, b: bigint): boolean => a.mask === 0n && a.value === u64(b);
export const tnumEquals = (a: Tnum, b: Tnum): boolean => a.value === b.value && a.mask === b.mask;

export const tnumLshift = (a: Tnum, s: number): Tnum => tnum(a.value << BigInt(s), a.mask << BigInt(s));
export const tnumRshift = (a: Tnum, s: number): Tnum => ({ value: a.value >> BigInt(s), mask: a.mask >> BigInt(s) });

/** Arithmetic right shift at 32 or 64 bits. */
export function tnumArshift(a: Tnum, s: number, bits: 32 | 64): Tnum {
  const sh = BigInt(s);
  if (bits === 32) {
    return {
      value: u32(BigInt.asIntN(32, a.value) >> sh),
      mask: u32(BigInt.asIntN(32, a.mask) >> sh),
    };
  }
  return { value: u64(BigInt.asIntN(64, a.value) >> sh), mask: u64(BigInt.asIntN(64, a.mask) >> sh) };
}

export function tnumAdd(a: Tnum, b: Tnum): Tnum {
  const sm = u64(a.mask + b.mask);
  const sv = u64(a.value + b.value);
  const sigma = u64(sm + sv);
  const chi = sigma ^ sv;
  const mu = chi | a.mask | b.mask;
  return { value: sv & ~mu & U64_MAX, mask: mu };
}

export function tnumSub(a: Tnum, b: Tnum): Tnum {
  const dv = u64(a.value - b.value);
  const alpha = u64(dv + a.mask);
  const beta = u64(dv - b.mask);
  const chi = alpha ^ beta;
  const mu = chi | a.mask | b.mask;
  return { value: dv & ~mu & U64_MAX, mask: mu };
}

export const tnumNeg = (a: Tnum): Tnum => tnumSub(tnumConst(0n), a);

export function tnumAnd(a: Tnum, b: Tnum): Tnum {
  const alpha = a.value | a.mask;
  const beta = b.value | b.mask;
  const v = a.value & b.value;
  return { value: v, mask: alpha & beta & ~v & U64_MAX };
}

export function tnumOr(a: Tnum, b: Tnum): Tnum {
  const v = a.value | b.value;
  const mu = a.mask | b.mask;
  return { value: v, mask: mu & ~v & U64_MAX };
}

export function tnumXor(a: Tnum, b: Tnum): Tnum {
  const v = a.value ^ b.value;
  const mu = a.mask | b.mask;
  return { value: v & ~mu & U64_MAX, mask: mu };
}

/** Multiplication by long multiplication over the certain and uncertain bits. */
export function tnumMul(a0: Tnum, b0: Tnum): Tnum {
  let a = a0;
  let b = b0;
  const accV = u64(a.value * b.value);
  let accM: Tnum = { value: 0n, mask: 0n };
  while (a.value !== 0n || a.mask !== 0n) {
    if ((a.value & 1n) === 1n) accM = tnumAdd(accM, { value: 0n, mask: b.mask });
    else if ((a.mask & 1n) === 1n) accM = tnumAdd(accM, { value: 0n, mask: b.value | b.mask });
    a = tnumRshift(a, 1);
    b = tnumLshift(b, 1);
  }
  return tnumAdd({ value: accV, mask: 0n }, accM);
}

/** Values that both tnums allow. */
export function tnumIntersect(a: Tnum, b: Tnum): Tnum {
  const v = a.value | b.value;
  const mu = a.mask & b.mask;
  return { value: v & ~mu & U64_MAX, mask: mu };
}

/** Keeps the low `size` bytes. */
export function tnumCast(a: Tnum, size: number): Tnum {
  const m = (1n << BigInt(size * 8)) - 1n;
  return { value: a.value & m, mask: a.mask & m };
}

/** True when every value of `a` is a multiple of `size`. */
export function tnumIsAligned(a: Tnum, size: number): boolean {
  if (size === 0) return true;
  return ((a.value | a.mask) & BigInt(size - 1)) === 0n;
}

/** True when every value `b` allows, `a` allows too (`tnum_in(a, b)`). */
export function tnumIn(a: Tnum, b: Tnum): boolean {
  if ((b.mask & ~a.mask & U64_MAX) !== 0n) return false;
  return a.value === (b.value & ~a.mask & U64_MAX);
}

export const tnumSubreg = (a: Tnum): Tnum => tnumCast(a, 4);
export const tnumClearSubreg = (a: Tnum): Tnum => tnumLshift(tnumRshift(a, 32), 32);
export const tnumWithSubreg = (reg: Tnum, subreg: Tnum): Tnum => tnumOr(tnumClearSubreg(reg), tnumSubreg(subreg));
export const tnumConstSubreg = (a: Tnum, v: bigint): Tnum => tnumWithSubreg(a, tnumConst(v));
export const tnumSubregIsConst = (a: Tnum): boolean => (a.mask & 0xffffffffn) === 0n;

/** True when some value is allowed by both. */
export function tnumOverlap(a: Tnum, b: Tnum): boolean {
  const mu = ~a.mask & ~b.mask & U64_MAX;
  return (a.value & mu) === (b.value & mu);
}

/**
 * A tnum as the kernel log prints it: a constant as `%#llx` (`0`, `0x10`),
 * otherwise `(0x<value>; 0x<mask>)`.
 */
export function formatTnum(a: Tnum): string {
  if (a.mask === 0n) return a.value === 0n ? '0' : `0x${a.value.toString(16)}`;
  return `(0x${a.value.toString(16)}; 0x${a.mask.toString(16)})`;
}

/**
 * The smallest value the tnum allows that is >= x (within `bits` bits), or
 * `undefined` when there is none.
 */
export function tnumNextMember(a: Tnum, x: bigint, bits = 64): bigint | undefined {
  const v = a.value;
  const mask = a.mask;
  let prefix = 0n;
  let best: bigint | undefined;
  for (let bit = bits - 1; bit >= 0; bit--) {
    const b = 1n << BigInt(bit);
    const low = b - 1n;
    const xb = x & b;
    if (mask & b) {
      if (!xb) best = prefix | b | (v & low);
      else prefix |= b;
    } else {
      const vb = v & b;
      if (vb && !xb) return prefix | b | (v & low);
      if (!vb && xb) return best;
      prefix |= vb;
    }
  }
  return x;
}

/** The largest value the tnum allows that is <= y (within `bits` bits), or `undefined`. */
export function tnumPrevMember(a: Tnum, y: bigint, bits = 64): bigint | undefined {
  const all = (1n << BigInt(bits)) - 1n;
  const inv = { value: ~a.value & ~a.mask & all, mask: a.mask & all };
  const r = tnumNextMember(inv, ~y & all, bits);
  return r === undefined ? undefined : ~r & all;
}
