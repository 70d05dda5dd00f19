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

/** `LOW[n]` = 2^n - 1: the low n bits set, for n = 0..64. */
const LOW: readonly bigint[] = Array.from({ length: 65 }, (_, n) => (1n << BigInt(n)) - 1n);

/** Bit length of the highest set bit (`fls64`) of an unsigned 64-bit value. */
function fls64(x: bigint): number {
  if (x === 0n) return 0;
  const hi = Number(x >> 32n);
  return hi !== 0 ? 64 - Math.clz32(hi) : 32 - Math.clz32(Number(x & 0xffffffffn));
}

/** The tightest tnum holding every value of [min, max] (unsigned). */
export function tnumRange(min: bigint, max: bigint): Tnum {
  const lo = u64(min);
  const bits = fls64(lo ^ u64(max));
  if (bits > 63) return TNUM_UNKNOWN;
  const delta = LOW[bits] as bigint;
  return { value: lo & ~delta, mask: delta };
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

/**
 * Multiplication by long multiplication over the certain and uncertain bits
 * (`tnum_mul`): for each bit of `a`, from the lowest, adds `b`'s uncertain
 * bits (a certain 1) or all of `b`'s possible bits (an uncertain bit),
 * shifted into place, to an accumulated uncertainty.
 *
 * The accumulator's value stays 0 (only masks are added), so adding `add`
 * is `m = (m + add) | m | add`. The loop runs on 32-bit halves in plain
 * numbers (no bigint per step), and stops once `a` or `b` has no bits left,
 * neither has uncertain bits (two constants) or every bit is uncertain:
 * further steps would change nothing.
 */
export function tnumMul(a: Tnum, b: Tnum): Tnum {
  const accV = u64(a.value * b.value);
  let avH = Number(a.value >> 32n);
  let avL = Number(a.value & 0xffffffffn);
  let amH = Number(a.mask >> 32n);
  let amL = Number(a.mask & 0xffffffffn);
  let bvH = Number(b.value >> 32n);
  let bvL = Number(b.value & 0xffffffffn);
  let bmH = Number(b.mask >> 32n);
  let bmL = Number(b.mask & 0xffffffffn);
  // the accumulated uncertainty, as unsigned 32-bit halves
  let mH = 0;
  let mL = 0;
  // a step adds something only for an uncertain bit of `a`, or for a certain 1 when `b` has uncertain bits
  while ((avH | avL | amH | amL) !== 0 && (bvH | bvL | bmH | bmL) !== 0 && (amH | amL | bmH | bmL) !== 0 && (mH & mL) !== -1) {
    let addH = 0;
    let addL = 0;
    if ((avL & 1) !== 0) {
      addH = bmH;
      addL = bmL;
    } else if ((amL & 1) !== 0) {
      addH = bvH | bmH;
      addL = bvL | bmL;
    }
    if ((addH | addL) !== 0) {
      const sumL = (mL >>> 0) + (addL >>> 0);
      const sumH = (mH >>> 0) + (addH >>> 0) + (sumL > 0xffffffff ? 1 : 0);
      mL = sumL | mL | addL;
      mH = sumH | mH | addH;
    }
    avL = (avL >>> 1) | ((avH & 1) << 31);
    avH >>>= 1;
    amL = (amL >>> 1) | ((amH & 1) << 31);
    amH >>>= 1;
    bvH = (bvH << 1) | (bvL >>> 31);
    bvL <<= 1;
    bmH = (bmH << 1) | (bmL >>> 31);
    bmL <<= 1;
  }
  const m = (BigInt(mH >>> 0) << 32n) | BigInt(mL >>> 0);
  return tnumAdd({ value: accV, mask: 0n }, { value: 0n, mask: m });
}

/** Values that both tnums allow. */
export function tnumIntersect(a: Tnum, b: Tnum): Tnum {
  const v = a.value | b.value;
  const mu = a.mask & b.mask;
  return { value: v & ~mu & U64_MAX, mask: mu };
}

/** Keeps the low `size` bytes. */
export function tnumCast(a: Tnum, size: number): Tnum {
  const m = LOW[size * 8] ?? (1n << BigInt(size * 8)) - 1n;
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

/** Every bit at or below the highest set bit of `x` (x >= 0, below 2^64). */
function smearRight(x: bigint): bigint {
  let s = x | (x >> 1n);
  s |= s >> 2n;
  s |= s >> 4n;
  s |= s >> 8n;
  s |= s >> 16n;
  s |= s >> 32n;
  return s;
}

/**
 * The smallest value the tnum allows that is >= x (within `bits` bits), or
 * `undefined` when there is none. For `a` and `x` within `bits` bits.
 *
 * Closed form: the members are `value | s` for every `s` inside `mask`. If
 * x agrees with `value` on every known bit, x is a member. Otherwise let h
 * be the highest known bit where they differ. If `value` has 1 there, the
 * answer keeps x above h and is `value` from h down. If `value` has 0
 * there, the answer must turn on the lowest unknown bit p above h that x
 * has clear, keep x above p, and be `value` below p; without such a p no
 * member is >= x.
 */
export function tnumNextMember(a: Tnum, x: bigint, bits = 64): bigint | undefined {
  const v = a.value;
  const mask = a.mask;
  const full = LOW[bits] ?? (1n << BigInt(bits)) - 1n;
  const diff = (x ^ v) & ~mask & full;
  if (diff === 0n) return x;
  const xl = x & full;
  const upTo = smearRight(diff);
  const h = upTo ^ (upTo >> 1n);
  if ((v & h) !== 0n) return (xl & ~upTo) | (v & upTo);
  const free = mask & ~xl & ~upTo & full;
  if (free === 0n) return undefined;
  const p = free & -free;
  return (xl & ~(p | (p - 1n))) | p | (v & (p - 1n));
}

/**
 * The largest value the tnum allows that is <= y (within `bits` bits), or
 * `undefined`; the mirror of `tnumNextMember`. If y agrees with `value` on
 * every known bit, y is a member. Otherwise let h be the highest known bit
 * where they differ. If `value` has 0 there, the answer keeps y above h and
 * has every possible bit below h. If `value` has 1 there, the answer must
 * turn off the lowest unknown bit p above h that y has set, keep y above p,
 * and have every possible bit below p; without such a p no member is <= y.
 */
export function tnumPrevMember(a: Tnum, y: bigint, bits = 64): bigint | undefined {
  const v = a.value;
  const mask = a.mask;
  const full = LOW[bits] ?? (1n << BigInt(bits)) - 1n;
  const yl = y & full;
  const diff = (yl ^ v) & ~mask & full;
  if (diff === 0n) return yl;
  const upTo = smearRight(diff);
  const h = upTo ^ (upTo >> 1n);
  if ((v & h) === 0n) return (yl & ~upTo) | ((v | mask) & upTo);
  const set = mask & yl & ~upTo;
  if (set === 0n) return undefined;
  const p = set & -set;
  const below = p - 1n;
  return (yl & ~(p | below)) | ((v | mask) & below);
}
