/**
 * Step 4c, conditional jumps (`check_cond_jmp_op`): decide the branch when
 * the ranges allow it, otherwise explore both, narrowing the compared
 * scalars on each side (`reg_set_min_max`), lifting `_or_null` after NULL
 * checks, and growing packet ranges after comparisons with `pkt_end`.
 */
import { isTrustedBtfPtr } from '../btf-ctx/btf-ptr';
import { isReg, type Insn, type JumpOp } from '@bpflab/isa';
import { U32_MAX, U64_MAX, max, min, s32, s64, u32, u64 } from '../domain/num';
import {
  tnumAdd,
  tnumAnd,
  tnumConst,
  tnumIntersect,
  tnumIsConst,
  tnumOr,
  tnumOverlap,
  tnumSubreg,
  tnumWithSubreg,
} from '../domain/tnum';
import { msg } from '../messages';
import {
  boundsOf,
  isPktPointer,
  isRegConst,
  knownScalar,
  regConstValue,
  syncBounds,
  withBounds,
  UNBOUNDED32,
  UNBOUNDED64,
  zext32To64,
  type RegState,
} from '../state/reg-state';
import { isSpilled, type LinkedReg, type VerifierState } from '../state/verifier-state';
import { reject, type Env } from './env';
import { markChainPrecision, pushHistory } from './precision';
import { checkRegRead, isLeakingPointer, unknown } from './transfer-alu';
import { pushBranch, pushSpeculative } from './branches';

/** `AT_PKT_END`: the pointer is at or past pkt_end. */
const AT_PKT_END = -1;
/** `BEYOND_PKT_END`: the pointer is past pkt_end by at least one byte. */
const BEYOND_PKT_END = -2;
/** `MAX_PACKET_OFF` */
const MAX_PACKET_OFF = 0xffffn;
/** `LINKED_REGS_MAX` */
const LINKED_REGS_MAX = 6;

type Op = JumpOp | 'jset_rev';

/** `flip_opcode`: the same test with the operands swapped. */
function flip(op: Op): Op {
  switch (op) {
    case 'jge':
      return 'jle';
    case 'jle':
      return 'jge';
    case 'jgt':
      return 'jlt';
    case 'jlt':
      return 'jgt';
    case 'jsge':
      return 'jsle';
    case 'jsle':
      return 'jsge';
    case 'jsgt':
      return 'jslt';
    case 'jslt':
      return 'jsgt';
    default:
      return op;
  }
}

/** `rev_opcode`: the test of the fall-through branch. */
function reverse(op: JumpOp): Op {
  switch (op) {
    case 'jeq':
      return 'jne';
    case 'jne':
      return 'jeq';
    case 'jset':
      return 'jset_rev';
    case 'jgt':
      return 'jle';
    case 'jle':
      return 'jgt';
    case 'jge':
      return 'jlt';
    case 'jlt':
      return 'jge';
    case 'jsgt':
      return 'jsle';
    case 'jsle':
      return 'jsgt';
    case 'jsge':
      return 'jslt';
    case 'jslt':
      return 'jsge';
  }
}

/** `reg_not_null`: pointers that are never NULL. */
const regNotNull = (r: RegState): boolean =>
  !r.maybeNull && (r.kind === 'map_value' || r.kind === 'map_key' || r.kind === 'mem' || isTrustedBtfPtr(r));

/** `is_scalar_branch_taken`: 1 taken, 0 not taken, -1 unknown. */
function scalarBranchTaken(r1: RegState, r2: RegState, op: JumpOp, j32: boolean, same: boolean): number {
  const t1 = j32 ? tnumSubreg(r1.varOff) : r1.varOff;
  const t2 = j32 ? tnumSubreg(r2.varOff) : r2.varOff;
  const umin1 = j32 ? r1.u32min : r1.umin;
  const umax1 = j32 ? r1.u32max : r1.umax;
  const smin1 = j32 ? r1.s32min : r1.smin;
  const smax1 = j32 ? r1.s32max : r1.smax;
  const umin2 = j32 ? r2.u32min : r2.umin;
  const umax2 = j32 ? r2.u32max : r2.umax;
  const smin2 = j32 ? r2.s32min : r2.smin;
  const smax2 = j32 ? r2.s32max : r2.smax;
  if (same) {
    switch (op) {
      case 'jge':
      case 'jle':
      case 'jsge':
      case 'jsle':
      case 'jeq':
        return 1;
      case 'jgt':
      case 'jlt':
      case 'jsgt':
      case 'jslt':
      case 'jne':
        return 0;
      case 'jset':
        if (tnumIsConst(t1)) return t1.value !== 0n ? 1 : 0;
        return smin1 <= 0n && smax1 >= 0n ? -1 : 1;
    }
  }
  switch (op) {
    case 'jeq':
    case 'jne': {
      const eq = op === 'jeq';
      if (tnumIsConst(t1) && tnumIsConst(t2)) return (t1.value === t2.value) === eq ? 1 : 0;
      const differ =
        !tnumOverlap(t1, t2) ||
        umin1 > umax2 ||
        umax1 < umin2 ||
        smin1 > smax2 ||
        smax1 < smin2 ||
        (!j32 && (r1.u32min > r2.u32max || r1.u32max < r2.u32min || r1.s32min > r2.s32max || r1.s32max < r2.s32min));
      if (differ) return eq ? 0 : 1;
      return -1;
    }
    case 'jset': {
      let a = r1;
      let b = r2;
      let ta = t1;
      let tb = t2;
      if (!isRegConst(b, j32)) {
        [a, b] = [b, a];
        [ta, tb] = [tb, ta];
      }
      if (!isRegConst(b, j32)) return -1;
      if (((~ta.mask & ta.value) & tb.value) !== 0n) return 1;
      if (((ta.mask | ta.value) & tb.value) === 0n) return 0;
      return -1;
    }
    case 'jgt':
      return umin1 > umax2 ? 1 : umax1 <= umin2 ? 0 : -1;
    case 'jsgt':
      return smin1 > smax2 ? 1 : smax1 <= smin2 ? 0 : -1;
    case 'jlt':
      return umax1 < umin2 ? 1 : umin1 >= umax2 ? 0 : -1;
    case 'jslt':
      return smax1 < smin2 ? 1 : smin1 >= smax2 ? 0 : -1;
    case 'jge':
      return umin1 >= umax2 ? 1 : umax1 < umin2 ? 0 : -1;
    case 'jsge':
      return smin1 >= smax2 ? 1 : smax1 < smin2 ? 0 : -1;
    case 'jle':
      return umax1 <= umin2 ? 1 : umin1 > umax2 ? 0 : -1;
    case 'jsle':
      return smax1 <= smin2 ? 1 : smin1 > smax2 ? 0 : -1;
  }
}

function pktBranchTaken(dst: RegState, src: RegState, op0: JumpOp): number {
  let pkt: RegState;
  let op: Op = op0;
  if (src.kind === 'pkt_end') pkt = dst;
  else if (dst.kind === 'pkt_end') {
    pkt = src;
    op = flip(op);
  } else return -1;
  if (pkt.range >= 0) return -1;
  switch (op) {
    case 'jle':
    case 'jgt':
      if (pkt.range === BEYOND_PKT_END) return op === 'jgt' ? 1 : 0;
      break;
    case 'jlt':
    case 'jge':
      if (pkt.range === BEYOND_PKT_END || pkt.range === AT_PKT_END) return op === 'jge' ? 1 : 0;
      break;
    default:
      break;
  }
  return -1;
}

const isPktAny = (r: RegState): boolean => r.kind === 'pkt' || r.kind === 'pkt_meta' || r.kind === 'pkt_end';

/** `is_branch_taken` */
function branchTaken(r1: RegState, r2: RegState, op: JumpOp, j32: boolean, same: boolean): number {
  if (isPktAny(r1) && isPktAny(r2) && !j32) return pktBranchTaken(r1, r2, op);
  if (r1.kind !== 'scalar' || r2.kind !== 'scalar') {
    let a = r1;
    let b = r2;
    let o: Op = op;
    if (!isRegConst(b, j32)) {
      o = flip(o);
      [a, b] = [b, a];
    }
    if (!isRegConst(b, j32)) return -1;
    if (!regNotNull(a)) return -1;
    if (regConstValue(b, j32) !== 0n) return -1;
    if (o === 'jeq') return 0;
    if (o === 'jne') return 1;
    return -1;
  }
  return scalarBranchTaken(r1, r2, op, j32, same);
}

type B = ReturnType<typeof boundsOf>;

/** `regs_refine_cond_op`: narrows two scalars so that `r1 op r2` holds. */
/** `x` as an unsigned value of the compared width. */
const unsignedAt = (j32: boolean, x: bigint): bigint => (j32 ? u32(x) : u64(x));
/** `x` as a signed value of the compared width. */
const signedAt = (j32: boolean, x: bigint): bigint => (j32 ? s32(x) : s64(x));
/** The constant a register holds at the compared width. */
const constAt = (j32: boolean, r: B): bigint => (j32 ? u32(r.varOff.value) : r.varOff.value);

function refine(b1: B, b2: B, op0: Op, j32: boolean, c1: boolean, c2: boolean): void {
  let op = op0;
  let r1 = b1;
  let r2 = b2;
  let k1 = c1;
  let k2 = c2;
  if (op === 'jge' || op === 'jgt' || op === 'jsge' || op === 'jsgt') {
    op = flip(op);
    [r1, r2] = [r2, r1];
    [k1, k2] = [k2, k1];
  }
  switch (op) {
    case 'jeq':
      if (j32) {
        r1.u32min = max(r1.u32min, r2.u32min);
        r1.u32max = min(r1.u32max, r2.u32max);
        r1.s32min = max(r1.s32min, r2.s32min);
        r1.s32max = min(r1.s32max, r2.s32max);
        r2.u32min = r1.u32min;
        r2.u32max = r1.u32max;
        r2.s32min = r1.s32min;
        r2.s32max = r1.s32max;
        const t = tnumIntersect(tnumSubreg(r1.varOff), tnumSubreg(r2.varOff));
        r1.varOff = tnumWithSubreg(r1.varOff, t);
        r2.varOff = tnumWithSubreg(r2.varOff, t);
      } else {
        r1.umin = max(r1.umin, r2.umin);
        r1.umax = min(r1.umax, r2.umax);
        r1.smin = max(r1.smin, r2.smin);
        r1.smax = min(r1.smax, r2.smax);
        r2.umin = r1.umin;
        r2.umax = r1.umax;
        r2.smin = r1.smin;
        r2.smax = r1.smax;
        r1.varOff = tnumIntersect(r1.varOff, r2.varOff);
        r2.varOff = r1.varOff;
      }
      break;
    case 'jne': {
      if (!k2) {
        [r1, r2] = [r2, r1];
        [k1, k2] = [k2, k1];
      }
      if (!k2) break;
      const val = constAt(j32, r2);
      if (j32) {
        if (r1.u32min === u32(val)) r1.u32min = u32(r1.u32min + 1n);
        if (r1.u32max === u32(val)) r1.u32max = u32(r1.u32max - 1n);
        if (r1.s32min === s32(val)) r1.s32min = s32(r1.s32min + 1n);
        if (r1.s32max === s32(val)) r1.s32max = s32(r1.s32max - 1n);
      } else {
        if (r1.umin === u64(val)) r1.umin = u64(r1.umin + 1n);
        if (r1.umax === u64(val)) r1.umax = u64(r1.umax - 1n);
        if (r1.smin === s64(val)) r1.smin = s64(r1.smin + 1n);
        if (r1.smax === s64(val)) r1.smax = s64(r1.smax - 1n);
      }
      break;
    }
    case 'jset': {
      if (!k2) {
        [r1, r2] = [r2, r1];
        [k1, k2] = [k2, k1];
      }
      if (!k2) break;
      const val = constAt(j32, r2);
      if (val === 0n || (val & (val - 1n)) !== 0n) break;
      if (j32) r1.varOff = tnumWithSubreg(r1.varOff, tnumOr(tnumSubreg(r1.varOff), tnumConst(val)));
      else r1.varOff = tnumOr(r1.varOff, tnumConst(val));
      break;
    }
    case 'jset_rev': {
      if (!k2) {
        [r1, r2] = [r2, r1];
        [k1, k2] = [k2, k1];
      }
      if (!k2) break;
      const val = constAt(j32, r2);
      Object.assign(r1, UNBOUNDED64, UNBOUNDED32);
      if (j32) r1.varOff = tnumWithSubreg(r1.varOff, tnumAnd(tnumSubreg(r1.varOff), tnumConst(u32(~val))));
      else r1.varOff = tnumAnd(r1.varOff, tnumConst(u64(~val)));
      break;
    }
    case 'jle':
      if (j32) {
        r1.u32max = min(r1.u32max, r2.u32max);
        r2.u32min = max(r1.u32min, r2.u32min);
      } else {
        r1.umax = min(r1.umax, r2.umax);
        r2.umin = max(r1.umin, r2.umin);
      }
      break;
    case 'jlt':
      if (j32) {
        r1.u32max = min(r1.u32max, unsignedAt(j32, r2.u32max - 1n));
        r2.u32min = max(unsignedAt(j32, r1.u32min + 1n), r2.u32min);
      } else {
        r1.umax = min(r1.umax, unsignedAt(j32, r2.umax - 1n));
        r2.umin = max(unsignedAt(j32, r1.umin + 1n), r2.umin);
      }
      break;
    case 'jsle':
      if (j32) {
        r1.s32max = min(r1.s32max, r2.s32max);
        r2.s32min = max(r1.s32min, r2.s32min);
      } else {
        r1.smax = min(r1.smax, r2.smax);
        r2.smin = max(r1.smin, r2.smin);
      }
      break;
    case 'jslt':
      if (j32) {
        r1.s32max = min(r1.s32max, signedAt(j32, r2.s32max - 1n));
        r2.s32min = max(signedAt(j32, r1.s32min + 1n), r2.s32min);
      } else {
        r1.smax = min(r1.smax, signedAt(j32, r2.smax - 1n));
        r2.smin = max(signedAt(j32, r1.smin + 1n), r2.smin);
      }
      break;
    default:
      break;
  }
}

/**
 * `reg_set_min_max` on one branch: returns the narrowed (dst, src) for the
 * test `op` holding. `same` when both operands are the same register.
 */
function setMinMax(dst: RegState, src: RegState, op: Op, j32: boolean): [RegState, RegState] {
  const b1 = boundsOf(dst);
  const b2 = boundsOf(src);
  refine(b1, b2, op, j32, isRegConst(dst, j32), isRegConst(src, j32));
  syncBounds(b1);
  syncBounds(b2);
  return [withBounds(dst, b1), withBounds(src, b2)];
}

/** Calls `fn` on every register and spilled register of a state (`bpf_for_each_reg_in_vstate`). */
function forEachReg(st: VerifierState, fn: (r: RegState) => RegState): void {
  for (let fi = 0; fi <= st.curframe; fi++) {
    const f = st.frames[fi];
    if (!f) continue;
    for (let i = 0; i < f.regs.length; i++) f.regs[i] = fn(f.regs[i] as RegState);
    for (let i = 0; i < f.stack.length; i++) {
      const s = f.stack[i];
      if (s && isSpilled(s)) {
        const nv = fn(s.spilled);
        if (nv !== s.spilled) f.stack[i] = { ...s, spilled: nv };
      }
    }
  }
}

/** `mark_ptr_or_null_regs`: after `if (rX == 0)`, every copy of rX is NULL or not NULL. */
function markPtrOrNull(st: VerifierState, regno: number, isNull: boolean): void {
  const f = st.frames[st.curframe];
  const reg = f?.regs[regno];
  if (!reg) return;
  const id = reg.id;
  if (reg.refObjId !== 0 && reg.refObjId === id && isNull) st.refs = st.refs.filter((r) => r.id !== id);
  forEachReg(st, (r) => {
    if (!r.maybeNull || r.id !== id || id === 0) return r;
    if (isNull) return { ...knownScalar(0n), precise: r.precise };
    return { ...r, maybeNull: false, id: 0 };
  });
}

/** `find_good_pkt_pointers`: pointers with this id are known in-packet for `off` (+1) bytes. */
function findGoodPktPointers(st: VerifierState, reg: RegState, rightOpen: boolean): void {
  if (reg.off < 0 || (reg.off === 0 && rightOpen)) return;
  if (reg.umax > MAX_PACKET_OFF || reg.umax + BigInt(reg.off) > MAX_PACKET_OFF) return;
  const range = reg.off + (rightOpen ? 1 : 0);
  forEachReg(st, (r) => (r.kind === reg.kind && r.id === reg.id && r.range < range ? { ...r, range } : r));
}

/** `mark_pkt_end`: the pointer is at or beyond pkt_end on this branch. */
function markPktEnd(st: VerifierState, regno: number, open: boolean): void {
  const f = st.frames[st.curframe];
  const r = f?.regs[regno];
  if (!f || !r || r.kind !== 'pkt') return;
  f.regs[regno] = { ...r, range: open ? BEYOND_PKT_END : AT_PKT_END };
}

const isInitPkt = (r: RegState): boolean => r.kind === 'pkt' && r.id === 0 && r.off === 0 && tnumIsConst(r.varOff) && r.varOff.value === 0n;

/** `try_match_pkt_pointers` */
function matchPktPointers(
  insn: Insn & { kind: 'jump' },
  dst: RegState,
  src: RegState | undefined,
  thisBranch: VerifierState,
  other: VerifierState,
): boolean {
  if (!isReg(insn.src) || !insn.wide || !src) return false;
  const srcNo = insn.src.reg;
  const dataVsEnd = (dst.kind === 'pkt' && src.kind === 'pkt_end') || (dst.kind === 'pkt_meta' && isInitPkt(src));
  const endVsData = (dst.kind === 'pkt_end' && src.kind === 'pkt') || (isInitPkt(dst) && src.kind === 'pkt_meta');
  switch (insn.op) {
    case 'jgt':
      if (dataVsEnd) {
        findGoodPktPointers(thisBranch, dst, false);
        markPktEnd(other, insn.dst, true);
      } else if (endVsData) {
        findGoodPktPointers(other, src, true);
        markPktEnd(thisBranch, srcNo, false);
      } else return false;
      return true;
    case 'jlt':
      if (dataVsEnd) {
        findGoodPktPointers(other, dst, true);
        markPktEnd(thisBranch, insn.dst, false);
      } else if (endVsData) {
        findGoodPktPointers(thisBranch, src, false);
        markPktEnd(other, srcNo, true);
      } else return false;
      return true;
    case 'jge':
      if (dataVsEnd) {
        findGoodPktPointers(thisBranch, dst, true);
        markPktEnd(other, insn.dst, false);
      } else if (endVsData) {
        findGoodPktPointers(other, src, false);
        markPktEnd(thisBranch, srcNo, true);
      } else return false;
      return true;
    case 'jle':
      if (dataVsEnd) {
        findGoodPktPointers(other, dst, false);
        markPktEnd(thisBranch, insn.dst, true);
      } else if (endVsData) {
        findGoodPktPointers(thisBranch, src, true);
        markPktEnd(other, srcNo, false);
      } else return false;
      return true;
    default:
      return false;
  }
}

/**
 * `collect_linked_regs`: scalars sharing an id with the compared ones. Dead
 * registers of the current frame are left out (`live` is the liveness
 * before the jump), as the kernel does.
 */
function collectLinked(st: VerifierState, id: number, out: LinkedReg[], live: number): void {
  for (let fi = st.curframe; fi >= 0; fi--) {
    const f = st.frames[fi];
    if (!f) continue;
    for (let j = 0; j < 10; j++) {
      if (fi === st.curframe && !(live & (1 << j))) continue;
      const r = f.regs[j] as RegState;
      if (r.kind !== 'scalar' || r.id !== id) continue;
      if (out.some((l) => l.isReg && l.frame === fi && l.n === j)) continue;
      if (out.length < LINKED_REGS_MAX) out.push({ frame: fi, isReg: true, n: j });
      else f.regs[j] = { ...r, id: 0, addConst: 0, off: 0 };
    }
    f.stack.forEach((s, j) => {
      if (!isSpilled(s) || s.spilled.kind !== 'scalar' || s.spilled.id !== id) return;
      if (out.some((l) => !l.isReg && l.frame === fi && l.n === j)) return;
      if (out.length < LINKED_REGS_MAX) out.push({ frame: fi, isReg: false, n: j });
      else f.stack[j] = { ...s, spilled: { ...s.spilled, id: 0, addConst: 0, off: 0 } };
    });
  }
}

/** `sync_linked_regs`: scalars linked to `known` learn its new range (plus their delta). */
function syncLinked(st: VerifierState, known: RegState, knownAt: LinkedReg, linked: readonly LinkedReg[]): void {
  for (const e of linked) {
    if (e.frame === knownAt.frame && e.isReg === knownAt.isReg && e.n === knownAt.n) continue;
    const f = st.frames[e.frame];
    if (!f) continue;
    const reg = e.isReg ? f.regs[e.n] : f.stack[e.n]?.spilled;
    if (!reg || reg.kind !== 'scalar' || reg.id !== known.id) continue;
    let nv: RegState;
    if ((reg.addConst === 0 && known.addConst === 0) || reg.off === known.off) {
      nv = known;
    } else {
      const delta = knownScalar(BigInt(reg.off) - BigInt(known.off));
      const b = boundsOf(known);
      const d = boundsOf(delta);
      addBounds(b, d);
      if (reg.addConst === 32) zext32To64(b);
      syncBounds(b);
      nv = { ...known, ...b, off: reg.off, id: reg.id, addConst: reg.addConst };
    }
    if (e.isReg) {
      f.regs[e.n] = nv;
    } else {
      const s = f.stack[e.n];
      if (s) f.stack[e.n] = { ...s, spilled: nv };
    }
  }
}

/** `scalar32_min_max_add` + `scalar_min_max_add` + tnum add, for linked deltas. */
const inS = (x: bigint, lo: bigint, hi: bigint): boolean => x >= lo && x <= hi;

function addBounds(d: B, s: B): void {
  const smin32 = d.s32min + s.s32min;
  const smax32 = d.s32max + s.s32max;
  if (!inS(smin32, -(1n << 31n), (1n << 31n) - 1n) || !inS(smax32, -(1n << 31n), (1n << 31n) - 1n)) {
    d.s32min = -(1n << 31n);
    d.s32max = (1n << 31n) - 1n;
  } else {
    d.s32min = smin32;
    d.s32max = smax32;
  }
  const mo32 = d.u32min + s.u32min > U32_MAX;
  const xo32 = d.u32max + s.u32max > U32_MAX;
  d.u32min = u32(d.u32min + s.u32min);
  d.u32max = u32(d.u32max + s.u32max);
  if (!mo32 && xo32) {
    d.u32min = 0n;
    d.u32max = U32_MAX;
  }
  const smin = d.smin + s.smin;
  const smax = d.smax + s.smax;
  if (!inS(smin, -(1n << 63n), (1n << 63n) - 1n) || !inS(smax, -(1n << 63n), (1n << 63n) - 1n)) {
    d.smin = -(1n << 63n);
    d.smax = (1n << 63n) - 1n;
  } else {
    d.smin = smin;
    d.smax = smax;
  }
  const mo = d.umin + s.umin > U64_MAX;
  const xo = d.umax + s.umax > U64_MAX;
  d.umin = u64(d.umin + s.umin);
  d.umax = u64(d.umax + s.umax);
  if (!mo && xo) {
    d.umin = 0n;
    d.umax = U64_MAX;
  }
  d.varOff = tnumAdd(d.varOff, s.varOff);
}

/** `check_cond_jmp_op`: returns the next instruction index of the current path. */
export function checkCondJump(env: Env, insn: Insn & { kind: 'jump' }): number {
  const idx = env.insnIdx;
  const j32 = !insn.wide;
  checkRegRead(env, insn.dst);
  let dst = env.reg(insn.dst);
  let src: RegState;
  const srcNo = isReg(insn.src) ? insn.src.reg : -1;
  if (srcNo >= 0) {
    checkRegRead(env, srcNo);
    src = env.reg(srcNo);
    if (!(isPktAny(dst) && isPktAny(src)) && isLeakingPointer(env, src)) reject('pointerComparison', msg.pointerComparison(srcNo));
  } else {
    src = knownScalar(BigInt((insn.src as { imm: number }).imm | 0));
  }
  const pred = branchTaken(dst, src, insn.op, j32, srcNo === insn.dst);
  if (pred >= 0) {
    if (dst.kind === 'scalar') markChainPrecision(env, insn.dst);
    if (srcNo >= 0 && src.kind === 'scalar') markChainPrecision(env, srcNo);
    if (!env.bypassSpec) {
      const notTaken = pred === 1 ? idx + 1 : idx + insn.off + 1;
      pushSpeculative(env, notTaken, idx, srcNo >= 0 ? [insn.dst, srcNo] : [insn.dst], unknown(env));
    }
    env.printInsnState();
    return pred === 1 ? idx + insn.off + 1 : idx + 1;
  }
  const linked: LinkedReg[] = [];
  const live = env.aux[idx]?.liveRegsBefore ?? 0x7ff;
  if (srcNo >= 0 && src.kind === 'scalar' && src.id !== 0) collectLinked(env.cur, src.id, linked, live);
  if (dst.kind === 'scalar' && dst.id !== 0) collectLinked(env.cur, dst.id, linked, live);
  if (linked.length > 1) pushHistory(env, undefined, linked);
  // Re-read: collecting may have cut links of registers past the limit.
  dst = env.reg(insn.dst);
  if (srcNo >= 0) src = env.reg(srcNo);

  const other = pushBranch(env, idx + insn.off + 1, idx);
  const thisBranch = env.cur;
  const of = other.frames[other.curframe];
  const tf = thisBranch.frames[thisBranch.curframe];
  if (!of || !tf) return idx + 1;

  if (dst.kind === 'scalar' && src.kind === 'scalar' && srcNo !== insn.dst) {
    const [fd, fs] = setMinMax(dst, src, reverse(insn.op), j32);
    const [td, ts] = setMinMax(dst, src, insn.op, j32);
    tf.regs[insn.dst] = fd;
    of.regs[insn.dst] = td;
    if (srcNo >= 0) {
      tf.regs[srcNo] = fs;
      of.regs[srcNo] = ts;
    }
  }
  const frame = thisBranch.curframe;
  if (srcNo >= 0 && src.kind === 'scalar' && src.id !== 0) {
    syncLinked(thisBranch, tf.regs[srcNo] as RegState, { frame, isReg: true, n: srcNo }, linked);
    syncLinked(other, of.regs[srcNo] as RegState, { frame, isReg: true, n: srcNo }, linked);
  }
  if (dst.kind === 'scalar' && dst.id !== 0) {
    syncLinked(thisBranch, tf.regs[insn.dst] as RegState, { frame, isReg: true, n: insn.dst }, linked);
    syncLinked(other, of.regs[insn.dst] as RegState, { frame, isReg: true, n: insn.dst }, linked);
  }

  // A pointer that may be NULL compared with one that may not.
  if (!j32 && srcNo >= 0 && src.kind !== 'scalar' && dst.kind !== 'scalar' && src.maybeNull !== dst.maybeNull) {
    const eqBranch = insn.op === 'jeq' ? other : insn.op === 'jne' ? thisBranch : undefined;
    if (eqBranch) {
      const f = eqBranch.frames[eqBranch.curframe];
      const r = src.maybeNull ? srcNo : insn.dst;
      const reg = f?.regs[r];
      if (f && reg) f.regs[r] = { ...reg, maybeNull: false };
    }
  }

  if (!j32 && srcNo < 0 && (insn.src as { imm: number }).imm === 0 && (insn.op === 'jeq' || insn.op === 'jne') && dst.maybeNull) {
    markPtrOrNull(thisBranch, insn.dst, insn.op === 'jne');
    markPtrOrNull(other, insn.dst, insn.op === 'jeq');
  } else if (!matchPktPointers(insn, dst, srcNo >= 0 ? src : undefined, thisBranch, other) && isLeakingPointer(env, dst)) {
    reject('pointerComparison', msg.pointerComparison(insn.dst));
  }
  env.printInsnState();
  return idx + 1;
}

