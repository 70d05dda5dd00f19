/**
 * Range tracking of scalar arithmetic (`adjust_scalar_min_max_vals`): for
 * every ALU operation, the new tnum and the new signed/unsigned 32- and
 * 64-bit bounds of the destination, computed the way the kernel computes
 * them, then synchronised (`reg_bounds_sync`).
 */
import type { AluOp } from '@bpflab/isa';
import { S32_MAX, S32_MIN, S64_MAX, S64_MIN, U32_MAX, U64_MAX, max, min, s32, s64, u32, u64 } from './num';
import {
  tnumAdd,
  tnumAnd,
  tnumArshift,
  tnumIsConst,
  tnumLshift,
  tnumMul,
  tnumNeg,
  tnumOr,
  tnumRshift,
  tnumSub,
  tnumSubreg,
  tnumSubregIsConst,
  tnumXor,
} from './tnum';
import {
  boundsOf,
  markKnown32,
  markKnown64,
  syncBounds,
  UNBOUNDED32,
  UNBOUNDED64,
  unknownScalar,
  updateBounds,
  updateBounds32,
  withBounds,
  zext32To64,
  type Bounds,
  type RegState,
} from '../state/reg-state';

/** A range `[min, max]`. */
type Range = readonly [bigint, bigint];

/** `[min, max]` when both ends of the exact result lie in `[lo, hi]`, else the whole `[lo, hi]` (the kernel's overflow rule for signed bounds and products). */
function exactOr(lo: bigint, hi: bigint, rmin: bigint, rmax: bigint): Range {
  return rmin < lo || rmin > hi || rmax < lo || rmax > hi ? [lo, hi] : [rmin, rmax];
}

/**
 * Unsigned ends of an exact sum or difference, wrapped to `[0, umax]`: when
 * both ends wrapped the same way the range survives the wrap, when only
 * one did it covers everything.
 */
function wrapped(umax: bigint, rmin: bigint, rmax: bigint, wrap: (v: bigint) => bigint): Range {
  return wrapSide(rmin, umax) !== wrapSide(rmax, umax) ? [0n, umax] : [wrap(rmin), wrap(rmax)];
}

/** Which way a value left `[0, umax]`: -1 below, 1 above, 0 not. */
function wrapSide(v: bigint, umax: bigint): number {
  return v < 0n ? -1 : v > umax ? 1 : 0;
}

/** The four products of two signed ranges, or the whole `[lo, hi]` when one leaves it. */
function products(lo: bigint, hi: bigint, amin: bigint, amax: bigint, bmin: bigint, bmax: bigint): Range {
  const p = [amin * bmin, amin * bmax, amax * bmin, amax * bmax];
  return p.some((x) => x < lo || x > hi) ? [lo, hi] : [p.reduce(min), p.reduce(max)];
}

/** Signed bounds from unsigned ones when they do not cross the sign bit, else the whole signed range. */
function signedOf(lo: bigint, hi: bigint, umin: bigint, umax: bigint, signed: (v: bigint) => bigint): Range {
  return signed(umin) <= signed(umax) ? [signed(umin), signed(umax)] : [lo, hi];
}

function add32(d: Bounds, s: Bounds): void {
  [d.s32min, d.s32max] = exactOr(S32_MIN, S32_MAX, d.s32min + s.s32min, d.s32max + s.s32max);
  [d.u32min, d.u32max] = wrapped(U32_MAX, d.u32min + s.u32min, d.u32max + s.u32max, u32);
}

function add64(d: Bounds, s: Bounds): void {
  [d.smin, d.smax] = exactOr(S64_MIN, S64_MAX, d.smin + s.smin, d.smax + s.smax);
  [d.umin, d.umax] = wrapped(U64_MAX, d.umin + s.umin, d.umax + s.umax, u64);
}

function sub32(d: Bounds, s: Bounds): void {
  [d.s32min, d.s32max] = exactOr(S32_MIN, S32_MAX, d.s32min - s.s32max, d.s32max - s.s32min);
  [d.u32min, d.u32max] = wrapped(U32_MAX, d.u32min - s.u32max, d.u32max - s.u32min, u32);
}

function sub64(d: Bounds, s: Bounds): void {
  [d.smin, d.smax] = exactOr(S64_MIN, S64_MAX, d.smin - s.smax, d.smax - s.smin);
  [d.umin, d.umax] = wrapped(U64_MAX, d.umin - s.umax, d.umax - s.umin, u64);
}

function mul32(d: Bounds, s: Bounds): void {
  [d.u32min, d.u32max] = exactOr(0n, U32_MAX, d.u32min * s.u32min, d.u32max * s.u32max);
  [d.s32min, d.s32max] = products(S32_MIN, S32_MAX, d.s32min, d.s32max, s.s32min, s.s32max);
}

function mul64(d: Bounds, s: Bounds): void {
  [d.umin, d.umax] = exactOr(0n, U64_MAX, d.umin * s.umin, d.umax * s.umax);
  [d.smin, d.smax] = products(S64_MIN, S64_MAX, d.smin, d.smax, s.smin, s.smax);
}

type BitOp = 'and' | 'or' | 'xor';

function bitwise32(d: Bounds, s: Bounds, op: BitOp): void {
  const srcKnown = tnumSubregIsConst(s.varOff);
  const v = tnumSubreg(d.varOff);
  const dstKnown = tnumSubregIsConst(v);
  if (srcKnown && dstKnown) {
    markKnown32(d, v.value);
    return;
  }
  if (op === 'and') {
    d.u32min = v.value;
    d.u32max = min(d.u32max, s.u32max);
  } else if (op === 'or') {
    d.u32min = max(d.u32min, s.u32min);
    d.u32max = v.value | v.mask;
  } else {
    d.u32min = v.value;
    d.u32max = v.value | v.mask;
  }
  [d.s32min, d.s32max] = signedOf(S32_MIN, S32_MAX, d.u32min, d.u32max, s32);
}

function bitwise64(d: Bounds, s: Bounds, op: BitOp): void {
  const srcKnown = tnumIsConst(s.varOff);
  const dstKnown = tnumIsConst(d.varOff);
  if (srcKnown && dstKnown) {
    markKnown64(d, d.varOff.value);
    return;
  }
  if (op === 'and') {
    d.umin = d.varOff.value;
    d.umax = min(d.umax, s.umax);
  } else if (op === 'or') {
    d.umin = max(d.umin, s.umin);
    d.umax = d.varOff.value | d.varOff.mask;
  } else {
    d.umin = d.varOff.value;
    d.umax = d.varOff.value | d.varOff.mask;
  }
  [d.smin, d.smax] = signedOf(S64_MIN, S64_MAX, d.umin, d.umax, s64);
  updateBounds(d);
}

function lsh32Bounds(d: Bounds, uminVal: bigint, umaxVal: bigint): void {
  d.s32min = S32_MIN;
  d.s32max = S32_MAX;
  if (umaxVal > 31n || d.u32max > 1n << (31n - umaxVal)) {
    d.u32min = 0n;
    d.u32max = U32_MAX;
  } else {
    d.u32min = u32(d.u32min << uminVal);
    d.u32max = u32(d.u32max << umaxVal);
  }
}

function lsh64Bounds(d: Bounds, uminVal: bigint, umaxVal: bigint): void {
  d.smax = uminVal === 32n && umaxVal === 32n && d.s32max >= 0n ? d.s32max << 32n : S64_MAX;
  d.smin = uminVal === 32n && umaxVal === 32n && d.s32min >= 0n ? d.s32min << 32n : S64_MIN;
  if (umaxVal > 63n || d.umax > 1n << (63n - umaxVal)) {
    d.umin = 0n;
    d.umax = U64_MAX;
  } else {
    d.umin = u64(d.umin << uminVal);
    d.umax = u64(d.umax << umaxVal);
  }
}

/**
 * `is_safe_to_compute_dst_reg_range`: shifts need a constant amount below
 * the width; div and mod are not tracked.
 */
function safeToCompute(op: AluOp | 'neg', src: RegState, alu32: boolean): boolean {
  switch (op) {
    case 'add':
    case 'sub':
    case 'neg':
    case 'and':
    case 'or':
    case 'xor':
    case 'mul':
      return true;
    case 'lsh':
    case 'rsh':
    case 'arsh': {
      const bits = alu32 ? 32n : 64n;
      const known = alu32
        ? tnumSubregIsConst(src.varOff) && src.s32min === src.s32max && src.u32min === src.u32max
        : tnumIsConst(src.varOff) && src.smin === src.smax && src.umin === src.umax;
      return known && src.umax < bits;
    }
    default:
      return false;
  }
}

/**
 * The destination scalar after `dst op= src` (or `dst = -dst` for `neg`),
 * following `adjust_scalar_min_max_vals`. `precise` is the value an unknown
 * result takes (the kernel marks fresh unknown scalars precise for
 * unprivileged programs).
 */
export function scalarAlu(
  op: AluOp | 'neg',
  dst: RegState,
  src: RegState,
  alu32: boolean,
  unknownPrecise: boolean,
): RegState {
  if (!safeToCompute(op, src, alu32)) return { ...unknownScalar(unknownPrecise), precise: unknownPrecise };
  const d = boundsOf(dst);
  const s = boundsOf(src);
  switch (op) {
    case 'add':
      add32(d, s);
      add64(d, s);
      d.varOff = tnumAdd(d.varOff, s.varOff);
      break;
    case 'sub':
      sub32(d, s);
      sub64(d, s);
      d.varOff = tnumSub(d.varOff, s.varOff);
      break;
    case 'neg': {
      const old = boundsOf(dst);
      markKnown64(d, 0n);
      sub32(d, old);
      sub64(d, old);
      d.varOff = tnumNeg(old.varOff);
      break;
    }
    case 'mul':
      d.varOff = tnumMul(d.varOff, s.varOff);
      mul32(d, s);
      mul64(d, s);
      break;
    case 'and':
      d.varOff = tnumAnd(d.varOff, s.varOff);
      bitwise32(d, s, 'and');
      bitwise64(d, s, 'and');
      break;
    case 'or':
      d.varOff = tnumOr(d.varOff, s.varOff);
      bitwise32(d, s, 'or');
      bitwise64(d, s, 'or');
      break;
    case 'xor':
      d.varOff = tnumXor(d.varOff, s.varOff);
      bitwise32(d, s, 'xor');
      bitwise64(d, s, 'xor');
      break;
    case 'lsh':
      if (alu32) {
        const amin = s.u32min;
        const amax = s.u32max;
        const sub = tnumSubreg(d.varOff);
        lsh32Bounds(d, amin, amax);
        d.varOff = tnumSubreg(tnumLshift(sub, Number(amin)));
        Object.assign(d, UNBOUNDED64);
        updateBounds32(d);
      } else {
        lsh64Bounds(d, s.umin, s.umax);
        lsh32Bounds(d, s.umin, s.umax);
        d.varOff = tnumLshift(d.varOff, Number(s.umin));
        updateBounds(d);
      }
      break;
    case 'rsh':
      if (alu32) {
        const sub = tnumSubreg(d.varOff);
        d.s32min = S32_MIN;
        d.s32max = S32_MAX;
        d.varOff = tnumRshift(sub, Number(s.u32min));
        d.u32min = d.u32min >> s.u32max;
        d.u32max = d.u32max >> s.u32min;
        Object.assign(d, UNBOUNDED64);
        updateBounds32(d);
      } else {
        d.smin = S64_MIN;
        d.smax = S64_MAX;
        d.varOff = tnumRshift(d.varOff, Number(s.umin));
        d.umin = d.umin >> s.umax;
        d.umax = d.umax >> s.umin;
        Object.assign(d, UNBOUNDED32);
        updateBounds(d);
      }
      break;
    case 'arsh':
      if (alu32) {
        const sh = s.u32min;
        d.s32min = d.s32min >> sh;
        d.s32max = d.s32max >> sh;
        d.varOff = tnumArshift(tnumSubreg(d.varOff), Number(sh), 32);
        d.u32min = 0n;
        d.u32max = U32_MAX;
        Object.assign(d, UNBOUNDED64);
        updateBounds32(d);
      } else {
        const sh = s.umin;
        d.smin = d.smin >> sh;
        d.smax = d.smax >> sh;
        d.varOff = tnumArshift(d.varOff, Number(sh), 64);
        d.umin = 0n;
        d.umax = U64_MAX;
        Object.assign(d, UNBOUNDED32);
        updateBounds(d);
      }
      break;
    default:
      return unknownScalar(unknownPrecise);
  }
  if (alu32) zext32To64(d);
  syncBounds(d);
  return withBounds(dst, d);
}
