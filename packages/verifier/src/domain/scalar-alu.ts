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

/** Adds with a range check: `undefined` when the exact sum leaves [lo, hi]. */
function addIn(a: bigint, b: bigint, lo: bigint, hi: bigint): bigint | undefined {
  const r = a + b;
  return r < lo || r > hi ? undefined : r;
}
function subIn(a: bigint, b: bigint, lo: bigint, hi: bigint): bigint | undefined {
  const r = a - b;
  return r < lo || r > hi ? undefined : r;
}
function mulIn(a: bigint, b: bigint, lo: bigint, hi: bigint): bigint | undefined {
  const r = a * b;
  return r < lo || r > hi ? undefined : r;
}

function add32(d: Bounds, s: Bounds): void {
  const smin = addIn(d.s32min, s.s32min, S32_MIN, S32_MAX);
  const smax = addIn(d.s32max, s.s32max, S32_MIN, S32_MAX);
  if (smin === undefined || smax === undefined) {
    d.s32min = S32_MIN;
    d.s32max = S32_MAX;
  } else {
    d.s32min = smin;
    d.s32max = smax;
  }
  const minOv = d.u32min + s.u32min > U32_MAX;
  const maxOv = d.u32max + s.u32max > U32_MAX;
  d.u32min = u32(d.u32min + s.u32min);
  d.u32max = u32(d.u32max + s.u32max);
  if (!minOv && maxOv) {
    d.u32min = 0n;
    d.u32max = U32_MAX;
  }
}

function add64(d: Bounds, s: Bounds): void {
  const smin = addIn(d.smin, s.smin, S64_MIN, S64_MAX);
  const smax = addIn(d.smax, s.smax, S64_MIN, S64_MAX);
  if (smin === undefined || smax === undefined) {
    d.smin = S64_MIN;
    d.smax = S64_MAX;
  } else {
    d.smin = smin;
    d.smax = smax;
  }
  const minOv = d.umin + s.umin > U64_MAX;
  const maxOv = d.umax + s.umax > U64_MAX;
  d.umin = u64(d.umin + s.umin);
  d.umax = u64(d.umax + s.umax);
  if (!minOv && maxOv) {
    d.umin = 0n;
    d.umax = U64_MAX;
  }
}

function sub32(d: Bounds, s: Bounds): void {
  const smin = subIn(d.s32min, s.s32max, S32_MIN, S32_MAX);
  const smax = subIn(d.s32max, s.s32min, S32_MIN, S32_MAX);
  if (smin === undefined || smax === undefined) {
    d.s32min = S32_MIN;
    d.s32max = S32_MAX;
  } else {
    d.s32min = smin;
    d.s32max = smax;
  }
  const minUf = d.u32min < s.u32max;
  const maxUf = d.u32max < s.u32min;
  d.u32min = u32(d.u32min - s.u32max);
  d.u32max = u32(d.u32max - s.u32min);
  if (minUf && !maxUf) {
    d.u32min = 0n;
    d.u32max = U32_MAX;
  }
}

function sub64(d: Bounds, s: Bounds): void {
  const smin = subIn(d.smin, s.smax, S64_MIN, S64_MAX);
  const smax = subIn(d.smax, s.smin, S64_MIN, S64_MAX);
  if (smin === undefined || smax === undefined) {
    d.smin = S64_MIN;
    d.smax = S64_MAX;
  } else {
    d.smin = smin;
    d.smax = smax;
  }
  const minUf = d.umin < s.umax;
  const maxUf = d.umax < s.umin;
  d.umin = u64(d.umin - s.umax);
  d.umax = u64(d.umax - s.umin);
  if (minUf && !maxUf) {
    d.umin = 0n;
    d.umax = U64_MAX;
  }
}

function mul32(d: Bounds, s: Bounds): void {
  const umax = mulIn(d.u32max, s.u32max, 0n, U32_MAX);
  const umin = mulIn(d.u32min, s.u32min, 0n, U32_MAX);
  if (umax === undefined || umin === undefined) {
    d.u32min = 0n;
    d.u32max = U32_MAX;
  } else {
    d.u32min = umin;
    d.u32max = umax;
  }
  const p = [
    mulIn(d.s32min, s.s32min, S32_MIN, S32_MAX),
    mulIn(d.s32min, s.s32max, S32_MIN, S32_MAX),
    mulIn(d.s32max, s.s32min, S32_MIN, S32_MAX),
    mulIn(d.s32max, s.s32max, S32_MIN, S32_MAX),
  ];
  if (p.some((x) => x === undefined)) {
    d.s32min = S32_MIN;
    d.s32max = S32_MAX;
  } else {
    const q = p as bigint[];
    d.s32min = q.reduce(min);
    d.s32max = q.reduce(max);
  }
}

function mul64(d: Bounds, s: Bounds): void {
  const umax = mulIn(d.umax, s.umax, 0n, U64_MAX);
  const umin = mulIn(d.umin, s.umin, 0n, U64_MAX);
  if (umax === undefined || umin === undefined) {
    d.umin = 0n;
    d.umax = U64_MAX;
  } else {
    d.umin = umin;
    d.umax = umax;
  }
  const p = [
    mulIn(d.smin, s.smin, S64_MIN, S64_MAX),
    mulIn(d.smin, s.smax, S64_MIN, S64_MAX),
    mulIn(d.smax, s.smin, S64_MIN, S64_MAX),
    mulIn(d.smax, s.smax, S64_MIN, S64_MAX),
  ];
  if (p.some((x) => x === undefined)) {
    d.smin = S64_MIN;
    d.smax = S64_MAX;
  } else {
    const q = p as bigint[];
    d.smin = q.reduce(min);
    d.smax = q.reduce(max);
  }
}

/** Signed 32-bit bounds from unsigned ones when they do not cross the sign bit. */
function signed32FromUnsigned(d: Bounds): void {
  if (s32(d.u32min) <= s32(d.u32max)) {
    d.s32min = s32(d.u32min);
    d.s32max = s32(d.u32max);
  } else {
    d.s32min = S32_MIN;
    d.s32max = S32_MAX;
  }
}
function signed64FromUnsigned(d: Bounds): void {
  if (s64(d.umin) <= s64(d.umax)) {
    d.smin = s64(d.umin);
    d.smax = s64(d.umax);
  } else {
    d.smin = S64_MIN;
    d.smax = S64_MAX;
  }
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
  signed32FromUnsigned(d);
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
  signed64FromUnsigned(d);
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
