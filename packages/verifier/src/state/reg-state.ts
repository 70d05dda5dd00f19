/**
 * The abstract value of one register, mirroring the kernel's
 * `struct bpf_reg_state`. A `RegState` is immutable: every transfer function
 * builds a new one (`withReg`). The `kind` strings are the names the kernel
 * log prints for the base types (`scalar`, `ctx`, `map_value`, `fp`, `pkt`...).
 */
import {
  S32_MAX,
  S32_MIN,
  S64_MAX,
  S64_MIN,
  U32_MAX,
  U64_MAX,
  max,
  min,
  s32,
  s64,
  u32,
  u64,
} from '../domain/num';
import {
  TNUM_UNKNOWN,
  tnumClearSubreg,
  tnumConst,
  tnumConstSubreg,
  tnumIntersect,
  tnumIsConst,
  tnumOr,
  tnumRange,
  tnumSubreg,
  tnumNextMember,
  tnumPrevMember,
  type Tnum,
} from '../domain/tnum';
import type { BtfPtr } from '../btf-ctx/btf-ptr';

/** Base register types (`enum bpf_reg_type` without flags), by their log names. */
export type RegKind =
  /** `NOT_INIT`: never written, or clobbered by a call */
  | 'not_init'
  /** `SCALAR_VALUE` */
  | 'scalar'
  /** `PTR_TO_CTX` */
  | 'ctx'
  /** `CONST_PTR_TO_MAP` */
  | 'map_ptr'
  /** `PTR_TO_MAP_VALUE` */
  | 'map_value'
  /** `PTR_TO_MAP_KEY` (callback arguments) */
  | 'map_key'
  /** `PTR_TO_STACK` */
  | 'fp'
  /** `PTR_TO_PACKET` */
  | 'pkt'
  /** `PTR_TO_PACKET_META` */
  | 'pkt_meta'
  /** `PTR_TO_PACKET_END` */
  | 'pkt_end'
  /** `PTR_TO_MEM` */
  | 'mem'
  /** `PTR_TO_FUNC` */
  | 'func'
  /** `PTR_TO_BTF_ID`: a kernel object of the BTF type in `btf` (printed `ptr_<struct>`) */
  | 'btf_id';

/** A map as the verifier knows it (`struct bpf_map` fields it reads). */
export interface MapInfo {
  /** index of the map in the program's map table (the lddw `imm`) */
  readonly index: number;
  /** `map_type` as its short name (`hash`, `array`, `ringbuf`...) */
  readonly type: string;
  readonly keySize: number;
  readonly valueSize: number;
  readonly maxEntries: number;
  /** map name, printed in the log as `map=<name>` when set */
  readonly name?: string;
}

/** Mirrors `struct bpf_reg_state`. */
export interface RegState {
  readonly kind: RegKind;
  /** `PTR_MAYBE_NULL`: printed with an `_or_null` suffix */
  readonly maybeNull: boolean;
  /** `MEM_RDONLY` (`rdonly_` prefix) */
  readonly rdonly: boolean;
  /** `MEM_RINGBUF` (`ringbuf_` prefix) */
  readonly ringbuf: boolean;
  /** fixed offset from the pointer's base (`off`) */
  readonly off: number;
  /** variable part: the scalar value, or a pointer's variable offset (`var_off`) */
  readonly varOff: Tnum;
  readonly smin: bigint;
  readonly smax: bigint;
  readonly umin: bigint;
  readonly umax: bigint;
  readonly s32min: bigint;
  readonly s32max: bigint;
  readonly u32min: bigint;
  readonly u32max: bigint;
  /**
   * `id`: packet pointers and pointers that may be NULL share an id with their
   * copies; scalars share an id with registers they were copied from
   */
  readonly id: number;
  /**
   * `BPF_ADD_CONST`: this scalar equals the scalar with the same id plus
   * `off` (set by `rX += K` on a linked scalar); 0 when not linked by a delta
   */
  readonly addConst: 0 | 32 | 64;
  /** `ref_obj_id`: the acquired reference this pointer holds (ringbuf records) */
  readonly refObjId: number;
  /** the map, for `map_ptr`, `map_value` and `map_key` */
  readonly map: MapInfo | undefined;
  /** `range`: bytes known to be inside the packet from this pointer */
  readonly range: number;
  /** `mem_size` of `mem` pointers */
  readonly memSize: number;
  /** `frameno` of `fp` pointers */
  readonly frameno: number;
  /** subprogram index of a `func` pointer */
  readonly subprog: number;
  /** `precise`: the exact value of this scalar matters to safety */
  readonly precise: boolean;
  /** for `btf_id`: the kernel type pointed to and the trust flags (`btf`, `btf_id`) */
  readonly btf?: BtfPtr;
}

const BASE: RegState = Object.freeze({
  kind: 'not_init',
  maybeNull: false,
  rdonly: false,
  ringbuf: false,
  off: 0,
  varOff: tnumConst(0n),
  smin: 0n,
  smax: 0n,
  umin: 0n,
  umax: 0n,
  s32min: 0n,
  s32max: 0n,
  u32min: 0n,
  u32max: 0n,
  id: 0,
  addConst: 0,
  refObjId: 0,
  map: undefined,
  range: 0,
  memSize: 0,
  frameno: 0,
  subprog: 0,
  precise: false,
});

/** A copy of `r` with some fields replaced. */
export function withReg(r: RegState, patch: Partial<RegState>): RegState {
  return { ...r, ...patch };
}

/**
 * `{ ...r, ...b, id, off, addConst }` written out field by field, for the
 * hot paths: V8 builds a literal of one fixed shape much faster than it
 * merges spreads. A field added to `RegState` is a compile error here until
 * it is copied.
 */
function copyReg(r: RegState, b: Bounds, id: number, off: number, addConst: 0 | 32 | 64): RegState {
  return {
    kind: r.kind,
    maybeNull: r.maybeNull,
    rdonly: r.rdonly,
    ringbuf: r.ringbuf,
    off,
    varOff: b.varOff,
    smin: b.smin,
    smax: b.smax,
    umin: b.umin,
    umax: b.umax,
    s32min: b.s32min,
    s32max: b.s32max,
    u32min: b.u32min,
    u32max: b.u32max,
    id,
    addConst,
    refObjId: r.refObjId,
    map: r.map,
    range: r.range,
    memSize: r.memSize,
    frameno: r.frameno,
    subprog: r.subprog,
    precise: r.precise,
    btf: r.btf,
  } satisfies Record<keyof RegState, unknown>;
}

/** A register being built: writable until it is handed on, immutable after. */
export type RegBuilder = { -readonly [K in keyof RegState]: RegState[K] };

/** A fresh, writable copy of `r` (the fast fixed-shape copy), to fill in and hand on. */
export const cloneReg = (r: RegState): RegBuilder => copyReg(r, r, r.id, r.off, r.addConst);

/** `{ ...r, ...b }`: `r` with the numeric bounds `b`. */
export const withBounds = (r: RegState, b: Bounds): RegState => copyReg(r, b, r.id, r.off, r.addConst);

/** `{ ...r, id, off, addConst }`: `r` with a new scalar link. */
export const withLink = (r: RegState, id: number, off: number, addConst: 0 | 32 | 64): RegState => copyReg(r, r, id, off, addConst);

/** `NOT_INIT`, as `__mark_reg_not_init` leaves a register. */
export const NOT_INIT: RegState = Object.freeze({
  ...BASE,
  varOff: TNUM_UNKNOWN,
  smin: S64_MIN,
  smax: S64_MAX,
  umin: 0n,
  umax: U64_MAX,
  s32min: S32_MIN,
  s32max: S32_MAX,
  u32min: 0n,
  u32max: U32_MAX,
});

/** The fields of a known constant (`___mark_reg_known`). */
function knownFields(v: bigint): Pick<
  RegState,
  'varOff' | 'smin' | 'smax' | 'umin' | 'umax' | 's32min' | 's32max' | 'u32min' | 'u32max'
> {
  const x = u64(v);
  return {
    varOff: tnumConst(x),
    smin: s64(x),
    smax: s64(x),
    umin: x,
    umax: x,
    s32min: s32(x),
    s32max: s32(x),
    u32min: u32(x),
    u32max: u32(x),
  };
}

/** A scalar of unknown value (`__mark_reg_unknown`). */
export function unknownScalar(precise = false): RegState {
  return cloneReg(precise ? UNKNOWN_PRECISE : UNKNOWN);
}
const UNKNOWN: RegState = Object.freeze({ ...NOT_INIT, kind: 'scalar' });
const UNKNOWN_PRECISE: RegState = Object.freeze({ ...UNKNOWN, precise: true });

/** A scalar with a known value (`__mark_reg_known` on a scalar). */
export function knownScalar(v: bigint): RegState {
  const x = u64(v);
  const b: Bounds = { varOff: tnumConst(x), smin: s64(x), smax: s64(x), umin: x, umax: x, s32min: s32(x), s32max: s32(x), u32min: u32(x), u32max: u32(x) };
  return copyReg(SCALAR_ZERO, b, 0, 0, 0);
}
const SCALAR_ZERO: RegState = Object.freeze({ ...BASE, kind: 'scalar' });

/** Makes `r` a known constant, keeping its type (`__mark_reg_known`). */
export function markKnown(r: RegState, v: bigint): RegState {
  return { ...BASE, kind: r.kind, precise: r.precise, ...knownFields(v) };
}

/** A pointer of the given kind with offset 0 and no variable part. */
export function pointer(kind: RegKind, patch: Partial<RegState> = {}): RegState {
  const r = cloneReg(ZERO_POINTER);
  r.kind = kind;
  return Object.assign(r, patch);
}
const ZERO_POINTER: RegState = Object.freeze({ ...BASE, ...knownFields(0n) });

/** Unbounded 64-bit ranges (`__mark_reg64_unbounded`). */
export const UNBOUNDED64 = { smin: S64_MIN, smax: S64_MAX, umin: 0n, umax: U64_MAX } as const;
/** Unbounded 32-bit ranges (`__mark_reg32_unbounded`). */
export const UNBOUNDED32 = { s32min: S32_MIN, s32max: S32_MAX, u32min: 0n, u32max: U32_MAX } as const;

/** True for pointers (anything initialised that is not a scalar). */
export const isPointer = (r: RegState): boolean => r.kind !== 'scalar' && r.kind !== 'not_init';
export const isPktPointer = (r: RegState): boolean => r.kind === 'pkt' || r.kind === 'pkt_meta';

/** True for a scalar known to be 0 (`register_is_null`). */
export const isNullScalar = (r: RegState): boolean =>
  r.kind === 'scalar' && r.varOff.mask === 0n && r.varOff.value === 0n;

/** True when the scalar is a known 64-bit constant. */
export const isConst = (r: RegState): boolean => r.kind === 'scalar' && tnumIsConst(r.varOff);

/** True when the register is a constant at the given width (`is_reg_const`). */
export function isRegConst(r: RegState, alu32: boolean): boolean {
  if (r.kind !== 'scalar') return false;
  return alu32 ? (r.varOff.mask & U32_MAX) === 0n : r.varOff.mask === 0n;
}

/** The constant a register holds at the given width (`reg_const_value`). */
export const regConstValue = (r: RegState, alu32: boolean): bigint => (alu32 ? u32(r.varOff.value) : r.varOff.value);

/* ------------------------------------------------------------ bounds sync */

type Bounds = {
  varOff: Tnum;
  smin: bigint;
  smax: bigint;
  umin: bigint;
  umax: bigint;
  s32min: bigint;
  s32max: bigint;
  u32min: bigint;
  u32max: bigint;
};

/** A mutable copy of the numeric part of a register, for the bounds algorithms. */
export function boundsOf(r: RegState): Bounds {
  return {
    varOff: r.varOff,
    smin: r.smin,
    smax: r.smax,
    umin: r.umin,
    umax: r.umax,
    s32min: r.s32min,
    s32max: r.s32max,
    u32min: r.u32min,
    u32max: r.u32max,
  };
}

/** Learns 32-bit bounds from the low 32 bits of var_off (`__update_reg32_bounds`). */
export function updateBounds32(b: Bounds): void {
  const v = tnumSubreg(b.varOff);
  b.s32min = max(b.s32min, s32(v.value | (v.mask & 0x80000000n)));
  b.s32max = min(b.s32max, s32(v.value | (v.mask & 0x7fffffffn)));
  b.u32min = max(b.u32min, v.value);
  b.u32max = min(b.u32max, v.value | v.mask);
  tightenToMembers(b, v, 32);
}

/**
 * Moves unsigned bounds onto values the tnum allows: with var_off (0; 0x2)
 * and umin 1, the only value left is 2.
 */
function tightenToMembers(b: Bounds, v: Tnum, bits: 32 | 64): void {
  const lo = bits === 64 ? b.umin : b.u32min;
  const hi = bits === 64 ? b.umax : b.u32max;
  if (lo > hi || v.mask === 0n) return;
  const nlo = tnumNextMember(v, lo, bits);
  const nhi = tnumPrevMember(v, hi, bits);
  if (nlo === undefined || nhi === undefined || nlo > nhi) return;
  if (bits === 64) {
    b.umin = nlo;
    b.umax = nhi;
  } else {
    b.u32min = nlo;
    b.u32max = nhi;
  }
}

/** Learns 64-bit bounds from var_off (`__update_reg64_bounds`). */
export function updateBounds64(b: Bounds): void {
  const v = b.varOff;
  b.smin = max(b.smin, s64(v.value | (v.mask & (1n << 63n))));
  b.smax = min(b.smax, s64(v.value | (v.mask & S64_MAX)));
  b.umin = max(b.umin, v.value);
  b.umax = min(b.umax, v.value | v.mask);
  tightenToMembers(b, v, 64);
}

/** `__update_reg_bounds` */
export function updateBounds(b: Bounds): void {
  updateBounds32(b);
  updateBounds64(b);
}

/** `__reg32_deduce_bounds` (reads the 64-bit bounds, narrows the 32-bit ones). */
function deduce32(b: Bounds): void {
  const { umin, umax, smin, smax } = b;
  const uminHi = umin >> 32n;
  const umaxHi = umax >> 32n;
  const uminLo = s32(umin);
  const umaxLo = s32(umax);
  if (uminHi === umaxHi) {
    b.u32min = max(b.u32min, u32(umin));
    b.u32max = min(b.u32max, u32(umax));
    if (uminLo <= umaxLo) {
      b.s32min = max(b.s32min, uminLo);
      b.s32max = min(b.s32max, umaxLo);
    }
  }
  const sminHi = smin >> 32n;
  const smaxHi = smax >> 32n;
  const sminLo = s32(smin);
  const smaxLo = s32(smax);
  if (sminHi === smaxHi) {
    if (u32(smin) <= u32(smax)) {
      b.u32min = max(b.u32min, u32(smin));
      b.u32max = min(b.u32max, u32(smax));
    }
    if (sminLo <= smaxLo) {
      b.s32min = max(b.s32min, sminLo);
      b.s32max = min(b.s32max, smaxLo);
    }
  }
  if (uminLo < 0n && umaxLo >= 0n && u32(uminHi + 1n) === u32(umaxHi)) {
    b.s32min = max(b.s32min, uminLo);
    b.s32max = min(b.s32max, umaxLo);
  }
  if (sminLo < 0n && smaxLo >= 0n && u32(sminHi + 1n) === u32(smaxHi)) {
    b.s32min = max(b.s32min, sminLo);
    b.s32max = min(b.s32max, smaxLo);
  }
  if (s32(b.u32min) <= s32(b.u32max)) {
    b.s32min = max(b.s32min, s32(b.u32min));
    b.s32max = min(b.s32max, s32(b.u32max));
  }
  if (u32(b.s32min) <= u32(b.s32max)) {
    b.u32min = max(b.u32min, u32(b.s32min));
    b.u32max = min(b.u32max, u32(b.s32max));
  }
}

function deduce64(b: Bounds): void {
  if (s64(b.umin) <= s64(b.umax)) {
    b.smin = max(b.smin, s64(b.umin));
    b.smax = min(b.smax, s64(b.umax));
  }
  if (u64(b.smin) <= u64(b.smax)) {
    b.umin = max(b.umin, u64(b.smin));
    b.umax = min(b.umax, u64(b.smax));
  }
}

const HI = ~0xffffffffn;

function deduceMixed(b: Bounds): void {
  let nmin = u64((b.umin & HI) | b.u32min);
  let nmax = u64((b.umax & HI) | b.u32max);
  b.umin = max(b.umin, nmin);
  b.umax = min(b.umax, nmax);
  let nsmin = s64((b.smin & HI) | b.u32min);
  let nsmax = s64((b.smax & HI) | b.u32max);
  b.smin = max(b.smin, nsmin);
  b.smax = min(b.smax, nsmax);
  if (u32(b.s32min) <= u32(b.s32max)) {
    nmin = u64((b.umin & HI) | u32(b.s32min));
    nmax = u64((b.umax & HI) | u32(b.s32max));
    b.umin = max(b.umin, nmin);
    b.umax = min(b.umax, nmax);
    nsmin = s64((b.smin & HI) | u32(b.s32min));
    nsmax = s64((b.smax & HI) | u32(b.s32max));
    b.smin = max(b.smin, nsmin);
    b.smax = min(b.smax, nsmax);
  }
  if (b.s32min >= 0n && b.smin >= S32_MIN && b.smax <= S32_MAX) {
    b.smin = b.s32min;
    b.smax = b.s32max;
    b.umin = b.s32min;
    b.umax = b.s32max;
    b.varOff = tnumIntersect(b.varOff, tnumRange(b.smin, b.smax));
  }
}

/** `__reg_deduce_bounds` */
export function deduceBounds(b: Bounds): void {
  deduce32(b);
  deduce64(b);
  deduceMixed(b);
}

/** `__reg_bound_offset`: learns var_off bits from the unsigned ranges. */
export function boundOffset(b: Bounds): void {
  const v64 = tnumIntersect(b.varOff, tnumRange(b.umin, b.umax));
  const v32 = tnumIntersect(tnumSubreg(v64), tnumRange(b.u32min, b.u32max));
  b.varOff = tnumOr(tnumClearSubreg(v64), v32);
}

/**
 * `reg_bounds_sync`: every deduction between var_off and the eight bounds.
 * Two common cases skip the deductions, which would change nothing or end
 * in a known result: a constant inside all its bounds (every bound becomes
 * the constant), and nothing known at all.
 */
export function syncBounds(b: Bounds): void {
  const v = b.varOff;
  if (v.mask === 0n) {
    const c = v.value;
    const s = s64(c);
    const c32 = u32(c);
    const s32c = s32(c);
    if (b.umin <= c && c <= b.umax && b.smin <= s && s <= b.smax && b.u32min <= c32 && c32 <= b.u32max && b.s32min <= s32c && s32c <= b.s32max) {
      b.smin = b.smax = s;
      b.umin = b.umax = c;
      b.s32min = b.s32max = s32c;
      b.u32min = b.u32max = c32;
      return;
    }
  } else if (
    v.mask === U64_MAX &&
    v.value === 0n &&
    b.umin === 0n &&
    b.umax === U64_MAX &&
    b.smin === S64_MIN &&
    b.smax === S64_MAX &&
    b.u32min === 0n &&
    b.u32max === U32_MAX &&
    b.s32min === S32_MIN &&
    b.s32max === S32_MAX
  ) {
    return;
  }
  syncBoundsFull(b);
}

/** `reg_bounds_sync` step by step, without the shortcuts of `syncBounds` (which gives the same result). */
export function syncBoundsFull(b: Bounds): void {
  updateBounds(b);
  deduceBounds(b);
  deduceBounds(b);
  boundOffset(b);
  updateBounds(b);
}

/** `reg_bounds_sync` on a register. */
export function regBoundsSync(r: RegState): RegState {
  const b = boundsOf(r);
  syncBounds(b);
  return withBounds(r, b);
}

/** True when the bounds describe no value: a branch that cannot be taken. */
export function boundsInvalid(r: RegState): boolean {
  return r.smin > r.smax || r.umin > r.umax || r.s32min > r.s32max || r.u32min > r.u32max;
}

/** `__reg_assign_32_into_64` */
export function assign32Into64(b: Bounds): void {
  b.umin = b.u32min;
  b.umax = b.u32max;
  if (b.s32min >= 0n && b.s32max >= 0n) {
    b.smin = b.s32min;
    b.smax = b.s32max;
  } else {
    b.smin = 0n;
    b.smax = U32_MAX;
  }
}

/** `zext_32_to_64`: a 32-bit result zero-extended into the full register. */
export function zext32To64(b: Bounds): void {
  b.varOff = tnumSubreg(b.varOff);
  assign32Into64(b);
}

/** `__mark_reg32_known` on a bounds record. */
export function markKnown32(b: Bounds, v: bigint): void {
  b.varOff = tnumConstSubreg(b.varOff, v);
  b.s32min = s32(v);
  b.s32max = s32(v);
  b.u32min = u32(v);
  b.u32max = u32(v);
}

/** Sets every bound to the constant `v` (`___mark_reg_known`). */
export function markKnown64(b: Bounds, v: bigint): void {
  const f = knownFields(v);
  Object.assign(b, f);
}

export type { Bounds };
