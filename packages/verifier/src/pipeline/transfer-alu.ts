/**
 * Step 4a, transfer of ALU instructions (`check_alu_op`,
 * `adjust_reg_min_max_vals`, `adjust_ptr_min_max_vals`): moves, scalar
 * arithmetic with range tracking, and the pointer arithmetic the verifier
 * allows, with its messages.
 */
import { isReg, type AluOp, type Insn } from '@bpflab/isa';
import { S16_MAX, S16_MIN, S8_MAX, S8_MIN } from './limits';
import { S32_MAX, S32_MIN, S64_MAX, S64_MIN, U32_MAX, U64_MAX, s64, u32, u64, max, min, s32 } from '../domain/num';
import { scalarAlu } from '../domain/scalar-alu';
import {
  TNUM_UNKNOWN,
  tnumAdd,
  tnumConst,
  tnumIsConst,
  tnumRange,
  tnumSub,
  tnumSubreg,
  formatTnum,
} from '../domain/tnum';
import { msg } from '../messages';
import { regTypeName } from '../log/state-printer';
import {
  boundsOf,
  cloneReg,
  isPktPointer,
  isRegConst,
  knownScalar,
  regBoundsSync,
  regConstValue,
  syncBounds,
  UNBOUNDED32,
  unknownScalar,
  withBounds,
  withLink,
  zext32To64,
  type RegState,
} from '../state/reg-state';
import { pushSpeculative } from './branches';
import { reject, Reject, type Env } from './env';
import { checkMemRegion } from './transfer-mem';
import { MAX_VAR_OFF } from './prepare';
import { markChainPrecision } from './precision';

const ALU_STR: Record<AluOp | 'neg', string> = {
  add: '+=',
  sub: '-=',
  mul: '*=',
  div: '/=',
  sdiv: '/=',
  or: '|=',
  and: '&=',
  lsh: '<<=',
  rsh: '>>=',
  mod: '%=',
  smod: '%=',
  xor: '^=',
  mov: '=',
  arsh: 's>>=',
  neg: 'neg',
};

/** Reads a source register (`check_reg_arg(SRC_OP)`). */
export function checkRegRead(env: Env, r: number): RegState {
  env.markRegScratched(r);
  const reg = env.reg(r);
  if (reg.kind === 'not_init') reject('notReadOk', msg.notReadOk(r));
  return reg;
}

/** Checks a destination register is writable (`check_reg_arg(DST_OP_NO_MARK)`). */
export function checkRegWrite(env: Env, r: number): void {
  env.markRegScratched(r);
  if (r === 10) reject('frameReadOnly', msg.frameReadOnly());
}

/** An unknown scalar as `mark_reg_unknown` makes it (precise when unprivileged). */
export const unknown = (env: Env): RegState => unknownScalar(!env.bpfCapable);

/** `is_pointer_value`: a pointer that may not be leaked (always false when leaks are allowed). */
export const isLeakingPointer = (env: Env, r: RegState): boolean => !env.allowPtrLeaks && r.kind !== 'scalar';

/** Gives a scalar an id before it is copied, so copies stay linked (`assign_scalar_id_before_mov`). */
function assignScalarIdBeforeMov(env: Env, srcNo: number): RegState {
  let src = env.reg(srcNo);
  if (src.kind !== 'scalar') return src;
  if (src.addConst !== 0) src = { ...src, id: 0, off: 0, addConst: 0 };
  if (src.id === 0 && !tnumIsConst(src.varOff)) src = { ...src, id: env.newId() };
  env.setReg(srcNo, src);
  return src;
}

const bitLength = (x: bigint): number => (x === 0n ? 0 : x.toString(2).length);

function sextConst(v: bigint, bytes: number): bigint {
  return BigInt.asIntN(bytes * 8, v);
}

/** Bounds after sign-extending the low `bytes` of a 64-bit register (`coerce_reg_to_size_sx`). */
function coerceToSizeSx(r: RegState, bytes: 1 | 2 | 4): RegState {
  if (tnumIsConst(r.varOff)) {
    const v = u64(sextConst(r.varOff.value, bytes));
    return { ...r, varOff: tnumConst(v), smin: s64(v), smax: s64(v), umin: v, umax: v, s32min: s32(v), s32max: s32(v), u32min: u32(v), u32max: u32(v) };
  }
  const bits = BigInt(bytes * 8);
  const top = (x: bigint): bigint => (u64(x) >> bits) << bits;
  if (top(r.smax) === top(r.smin)) {
    const a = sextConst(r.smax, bytes);
    const b = sextConst(r.smin, bytes);
    const hi = max(a, b);
    const lo = min(a, b);
    if (hi >= 0n === lo >= 0n) {
      return { ...r, smin: lo, smax: hi, s32min: s32(lo), s32max: s32(hi), umin: u64(lo), umax: u64(hi), u32min: u32(lo), u32max: u32(hi), varOff: tnumRange(lo, hi) };
    }
  }
  const [smin, smax] = bytes === 1 ? [S8_MIN, S8_MAX] : bytes === 2 ? [S16_MIN, S16_MAX] : [S32_MIN, S32_MAX];
  return { ...r, smin, smax, s32min: smin, s32max: smax, umin: 0n, u32min: 0n, umax: U64_MAX, u32max: U32_MAX, varOff: TNUM_UNKNOWN };
}

/** Bounds after sign-extending the low `bytes` of a 32-bit subregister (`coerce_subreg_to_size_sx`). */
function coerceSubregToSizeSx(r: RegState, bytes: 1 | 2): RegState {
  if (tnumIsConst(r.varOff)) {
    const v = u64(sextConst(r.varOff.value, bytes));
    return { ...r, varOff: tnumConst(v), s32min: s32(v), s32max: s32(v), u32min: u32(v), u32max: u32(v) };
  }
  const bits = BigInt(bytes * 8);
  const top = (x: bigint): bigint => (u32(x) >> bits) << bits;
  if (top(r.s32max) === top(r.s32min)) {
    const a = sextConst(r.s32max, bytes);
    const b = sextConst(r.s32min, bytes);
    const hi = max(a, b);
    const lo = min(a, b);
    if (lo >= 0n === hi >= 0n) {
      return { ...r, s32min: lo, s32max: hi, u32min: u32(lo), u32max: u32(hi), varOff: tnumSubreg(tnumRange(lo, hi)) };
    }
  }
  const [smin, smax] = bytes === 1 ? [S8_MIN, S8_MAX] : [S16_MIN, S16_MAX];
  return { ...r, s32min: smin, s32max: smax, u32min: 0n, u32max: U32_MAX, varOff: tnumSubreg(TNUM_UNKNOWN) };
}

/** A register's 32-bit subregister zero-extended, bounds synchronised. */
function zextSync(r: RegState): RegState {
  const b = boundsOf(r);
  zext32To64(b);
  syncBounds(b);
  return withBounds(r, b);
}

/** `check_alu_op` */
export function checkAlu(env: Env, insn: Insn & { kind: 'alu' | 'neg' | 'movsx' | 'endian' }): void {
  switch (insn.kind) {
    case 'neg':
    case 'endian': {
      const dst = checkRegRead(env, insn.dst);
      if (isLeakingPointer(env, dst)) reject('aluOnPtr', msg.aluOnPtr(insn.dst));
      checkRegWrite(env, insn.dst);
      if (insn.kind === 'neg' && dst.kind === 'scalar') {
        env.setReg(insn.dst, { ...scalarAlu('neg', dst, dst, !insn.wide, !env.bpfCapable), id: 0, addConst: 0, off: 0 });
      } else {
        env.setReg(insn.dst, unknown(env));
      }
      return;
    }
    case 'movsx':
      return moveSx(env, insn);
    case 'alu':
      if (insn.op === 'mov') return move(env, insn);
      return arith(env, insn);
  }
}

function move(env: Env, insn: Insn & { kind: 'alu' }): void {
  if (!isReg(insn.src)) {
    checkRegWrite(env, insn.dst);
    const v = insn.wide ? BigInt(insn.src.imm | 0) : BigInt(insn.src.imm >>> 0);
    env.setReg(insn.dst, { ...knownScalar(v), precise: !env.bpfCapable });
    return;
  }
  const srcNo = insn.src.reg;
  checkRegRead(env, srcNo);
  checkRegWrite(env, insn.dst);
  if (insn.wide) {
    const src = assignScalarIdBeforeMov(env, srcNo);
    env.setReg(insn.dst, src);
    return;
  }
  let src = env.reg(srcNo);
  if (isLeakingPointer(env, src)) reject('partialCopyOfPointer', msg.partialCopyOfPointer(srcNo));
  if (src.kind !== 'scalar') {
    env.setReg(insn.dst, zextSync(unknown(env)));
    return;
  }
  const isU32 = bitLength(src.umax) <= 32;
  if (isU32) src = assignScalarIdBeforeMov(env, srcNo);
  let dst: RegState = isU32 ? src : { ...src, id: 0, addConst: 0, off: 0 };
  dst = zextSync(dst);
  env.setReg(insn.dst, dst);
}

function moveSx(env: Env, insn: Insn & { kind: 'movsx' }): void {
  checkRegRead(env, insn.src);
  checkRegWrite(env, insn.dst);
  let src = env.reg(insn.src);
  if (!insn.wide) {
    if (isLeakingPointer(env, src)) reject('partialCopyOfPointer', msg.partialCopyOfPointer(insn.src));
  } else if (isLeakingPointer(env, src)) {
    reject('sext32Ptr', msg.sext32Ptr(insn.src));
  }
  if (src.kind !== 'scalar') {
    env.setReg(insn.dst, insn.wide ? unknown(env) : zextSync(unknown(env)));
    return;
  }
  const noSext = src.umax < 1n << BigInt(insn.bits - 1);
  if (noSext) src = assignScalarIdBeforeMov(env, insn.src);
  let dst: RegState = noSext ? src : { ...src, id: 0, addConst: 0, off: 0 };
  if (insn.wide) {
    dst = regBoundsSync(coerceToSizeSx(dst, (insn.bits / 8) as 1 | 2 | 4));
  } else {
    dst = zextSync(coerceSubregToSizeSx(dst, (insn.bits / 8) as 1 | 2));
  }
  env.setReg(insn.dst, dst);
}

function arith(env: Env, insn: Insn & { kind: 'alu' }): void {
  const op = insn.op;
  if (isReg(insn.src)) checkRegRead(env, insn.src.reg);
  checkRegRead(env, insn.dst);
  if ((op === 'div' || op === 'mod' || op === 'sdiv' || op === 'smod') && !isReg(insn.src) && insn.src.imm === 0) {
    reject('divByZero', msg.divByZero());
  }
  if ((op === 'lsh' || op === 'rsh' || op === 'arsh') && !isReg(insn.src)) {
    const size = insn.wide ? 64 : 32;
    if (insn.src.imm < 0 || insn.src.imm >= size) reject('invalidShift', msg.invalidShift(BigInt(insn.src.imm)));
  }
  checkRegWrite(env, insn.dst);
  adjustRegMinMax(env, insn);
}

/** `adjust_reg_min_max_vals` */
function adjustRegMinMax(env: Env, insn: Insn & { kind: 'alu' }): void {
  const alu32 = !insn.wide;
  const op = insn.op;
  const dst = env.reg(insn.dst);
  let src: RegState;
  if (isReg(insn.src)) {
    src = env.reg(insn.src.reg);
    if (src.kind !== 'scalar') {
      if (dst.kind !== 'scalar') {
        if (op === 'sub' && env.allowPtrLeaks) {
          env.setReg(insn.dst, unknown(env));
          return;
        }
        reject('ptrPtrArith', msg.ptrPtrArith(insn.dst, ALU_STR[op]));
      }
      markChainPrecision(env, insn.dst);
      env.setReg(insn.dst, adjustPtr(env, insn, src, dst, true));
      return;
    }
    if (dst.kind !== 'scalar') {
      markChainPrecision(env, insn.src.reg);
      env.setReg(insn.dst, adjustPtr(env, insn, dst, src, false));
      return;
    }
    if (dst.precise) markChainPrecision(env, insn.src.reg);
  } else {
    src = knownScalar(BigInt(insn.src.imm | 0));
    if (dst.kind !== 'scalar') {
      env.setReg(insn.dst, adjustPtr(env, insn, dst, src, false));
      return;
    }
  }
  const before = env.reg(insn.dst);
  let res = scalarAlu(op, before, src, alu32, !env.bpfCapable);
  // Linked scalars: rX += K keeps the link with a known delta (BPF_ADD_CONST).
  if (env.bpfCapable && (op === 'add' || op === 'sub') && before.id !== 0 && isRegConst(src, alu32)) {
    const val = regConstValue(src, alu32);
    let clear = false;
    if (!alu32 && (s64(val) < S32_MIN || s64(val) > S32_MAX)) clear = true;
    if (alu32 && before.addConst !== 0) clear = true;
    let off = Number(BigInt.asIntN(32, val));
    if (!clear && op === 'sub') {
      if (off === -2147483648) clear = true;
      off = -off;
    }
    if (clear || before.addConst !== 0) res = withLink(res, 0, 0, 0);
    else res = withLink(res, before.id, off, alu32 ? 32 : 64);
  } else {
    res = withLink(res, 0, 0, 0);
  }
  env.setReg(insn.dst, res);
}

/** `check_reg_sane_offset` */
function checkSaneOffset(env: Env, reg: RegState, typeName: string): void {
  const known = tnumIsConst(reg.varOff);
  const val = s64(reg.varOff.value);
  const lim = BigInt(MAX_VAR_OFF);
  if (known && (val >= lim || val <= -lim)) reject('mathPtrConst', msg.mathPtrConst(typeName, val));
  if (reg.off >= MAX_VAR_OFF || reg.off <= -MAX_VAR_OFF) reject('ptrOffsetNotAllowed', msg.ptrOffsetNotAllowed(typeName, reg.off));
  if (reg.smin === S64_MIN) reject('mathPtrUnboundedMin', msg.mathPtrUnboundedMin(typeName));
  if (reg.smin >= lim || reg.smin <= -lim) reject('valueMakesPtrOob', msg.valueMakesPtrOob(reg.smin, typeName));
}

/** Pointer kinds pointer arithmetic may be applied to. */
const ARITH_OK = new Set(['ctx', 'map_value', 'map_key', 'fp', 'pkt', 'pkt_meta', 'mem', 'func', 'btf_id']);

/**
 * `adjust_ptr_min_max_vals`: `ptr op= scalar` (or `scalar += ptr` when
 * `reversed`). Returns the destination register.
 */
function adjustPtr(env: Env, insn: Insn & { kind: 'alu' }, ptr: RegState, off: RegState, reversed: boolean): RegState {
  const dst = insn.dst;
  const op = insn.op;
  const known = tnumIsConst(off.varOff);
  if ((known && (off.smin !== off.smax || off.umin !== off.umax)) || off.smin > off.smax || off.umin > off.umax) {
    return unknownScalar(!env.bpfCapable);
  }
  if (!insn.wide) {
    if (op === 'sub' && env.allowPtrLeaks) return unknown(env);
    reject('ptr32Arith', msg.ptr32Arith(dst));
  }
  const tname = regTypeName(ptr);
  if (ptr.maybeNull) reject('ptrArithNullable', msg.ptrArithNullable(dst, tname));
  if (!ARITH_OK.has(ptr.kind)) {
    if (!(ptr.kind === 'map_ptr' && known && off.smin === 0n && op === 'add')) reject('ptrArith', msg.ptrArith(dst, tname));
  }
  checkSaneOffset(env, off, tname);
  checkSaneOffset(env, ptr, tname);
  const info: SanitizeInfo = { aluState: 0, aluLimit: 0, maskToLeft: false };
  const sanitize = (op === 'add' || op === 'sub') && !canSkipAluSanitation(env, insn);
  if (sanitize) sanitizePtrAlu(env, insn, ptr, off, reversed, false, info);
  const res = cloneReg(ptr);
  Object.assign(res, UNBOUNDED32);
  res.precise = false;
  switch (op) {
    case 'add': {
      const fixed = ptr.off + Number(off.smin);
      if (known && fixed === (fixed | 0)) {
        res.off = fixed;
        break;
      }
      let smin = ptr.smin + off.smin;
      let smax = ptr.smax + off.smax;
      if (smin < S64_MIN || smin > S64_MAX || smax < S64_MIN || smax > S64_MAX) {
        smin = S64_MIN;
        smax = S64_MAX;
      }
      let umin = ptr.umin + off.umin;
      let umax = ptr.umax + off.umax;
      if (umin > U64_MAX || umax > U64_MAX) {
        umin = 0n;
        umax = U64_MAX;
      }
      Object.assign(res, { smin, smax, umin, umax, varOff: tnumAdd(ptr.varOff, off.varOff) });
      if (isPktPointer(ptr)) {
        res.id = env.newId();
        res.range = 0;
      }
      break;
    }
    case 'sub': {
      if (reversed) reject('subPtrFromScalar', msg.subPtrFromScalar(dst));
      if (ptr.kind === 'fp') reject('subFromStackPtr', msg.subFromStackPtr(dst));
      const fixed = ptr.off - Number(off.smin);
      if (known && fixed === (fixed | 0)) {
        res.off = fixed;
        break;
      }
      let smin = ptr.smin - off.smax;
      let smax = ptr.smax - off.smin;
      if (smin < S64_MIN || smin > S64_MAX || smax < S64_MIN || smax > S64_MAX) {
        smin = S64_MIN;
        smax = S64_MAX;
      }
      let umin: bigint;
      let umax: bigint;
      if (ptr.umin < off.umax) {
        umin = 0n;
        umax = U64_MAX;
      } else {
        umin = ptr.umin - off.umax;
        umax = ptr.umax - off.umin;
      }
      Object.assign(res, { smin, smax, umin, umax, varOff: tnumSub(ptr.varOff, off.varOff) });
      if (isPktPointer(ptr)) {
        res.id = env.newId();
        if (off.smin < 0n) res.range = 0;
      }
      break;
    }
    case 'and':
    case 'or':
    case 'xor':
      return reject('ptrBitwise', msg.ptrBitwise(dst, ALU_STR[op]));
    default:
      return reject('ptrArithOp', msg.ptrArithOp(dst, ALU_STR[op]));
  }
  checkSaneOffset(env, res, tname);
  const synced = regBoundsSync(res);
  if (!env.bypassSpec) sanitizeCheckBounds(env, insn, synced);
  if (sanitize) sanitizePtrAlu(env, insn, synced, off, reversed, true, info);
  return synced;
}

/**
 * `sanitize_check_bounds`, for loaders without CAP_PERFMON: the result of
 * pointer arithmetic must stay inside the stack or the map value.
 */
function sanitizeCheckBounds(env: Env, insn: Insn & { kind: 'alu' }, res: RegState): void {
  const dst = insn.dst;
  if (res.kind === 'fp') {
    const at = res.off + Number(BigInt.asIntN(32, res.varOff.value));
    if (!tnumIsConst(res.varOff)) reject('varStackAccessUnpriv', msg.varStackAccessUnpriv(dst, formatTnum(res.varOff), at));
    if (at >= 0 || at < -512) reject('stackPtrArithOob', msg.stackPtrArithOob(dst, at));
  } else if (res.kind === 'map_value' && res.map) {
    try {
      checkMemRegion(env, dst, res, res.off, 1, res.map.valueSize, false);
    } catch (e) {
      if (e instanceof Reject) reject('mapValueArithOob', `${e.text}\n${msg.mapValueArithOob(dst)}`);
      throw e;
    }
  }
}

/** What the two halves of `sanitize_ptr_alu` share (`struct bpf_sanitize_info`). */
interface SanitizeInfo {
  aluState: number;
  aluLimit: number;
  maskToLeft: boolean;
}

/** `BPF_ALU_*` flags of `alu_state`. */
const ALU_SANITIZE_SRC = 1;
const ALU_SANITIZE_DST = 2;
const ALU_NEG_VALUE = 4;
const ALU_IMMEDIATE = 16;

/** `can_skip_alu_sanitation`: CAP_PERFMON, an immediate operand, or a barrier already there. */
function canSkipAluSanitation(env: Env, insn: Insn & { kind: 'alu' }): boolean {
  return env.bypassSpec || !isReg(insn.src) || env.aux[env.insnIdx]?.nospec === true;
}

/**
 * `sanitize_ptr_alu`: for loaders without CAP_PERFMON the kernel masks the
 * offset of `ptr += reg` / `ptr -= reg` at run time so that a mispredicted
 * path cannot move the pointer outside its object. That needs one mask per
 * instruction: every path must agree on the direction and the limit. The
 * first half (before the arithmetic) checks the offset's sign and records
 * the limit; the second (`commit`, on the result) settles the limit for the
 * instruction. A non-constant offset also gets a speculative path on which
 * the masked offset is 0.
 */
function sanitizePtrAlu(env: Env, insn: Insn & { kind: 'alu' }, ptr: RegState, off: RegState, reversed: boolean, commit: boolean, info: SanitizeInfo): void {
  const op = insn.op as 'add' | 'sub';
  const src = (insn.src as { reg: number }).reg;
  const offIsImm = tnumIsConst(off.varOff);
  const offIsNeg = off.smin < 0n;
  const fail = (code: 'mixedSignedBounds' | 'aluPtrType' | 'aluPaths' | 'aluLimit'): never => {
    switch (code) {
      case 'mixedSignedBounds':
        return reject(code, msg.mixedSignedBounds(reversed ? insn.dst : src));
      case 'aluPtrType':
        return reject(code, msg.aluPtrType(reversed ? src : insn.dst));
      case 'aluPaths':
        return reject(code, msg.aluPaths(insn.dst, op));
      case 'aluLimit':
        return reject(code, msg.aluLimit(insn.dst, op));
    }
  };
  if (!env.cur.speculative) {
    if (!commit) {
      if (!offIsImm && off.smin < 0n !== off.smax < 0n) fail('mixedSignedBounds');
      info.maskToLeft = (op === 'add' && offIsNeg) || (op === 'sub' && !offIsNeg);
    }
    // `retrieve_ptr_limit`
    let limit: number;
    let max: number;
    if (ptr.kind === 'fp') {
      max = 512 + (info.maskToLeft ? 1 : 0);
      limit = Number(BigInt.asUintN(32, -(ptr.varOff.value + BigInt(ptr.off))));
    } else if (ptr.kind === 'map_value' && ptr.map) {
      max = ptr.map.valueSize;
      limit = Number(BigInt.asUintN(32, (info.maskToLeft ? ptr.smin : ptr.umax) + BigInt(ptr.off)));
    } else {
      return fail('aluPtrType');
    }
    if (limit >= max) fail('aluLimit');
    if (commit) {
      // `update_alu_sanitation_state`: every path must need the same mask here
      const aux = env.aux[env.insnIdx];
      const aluLimit = Math.abs((info.aluLimit - limit) | 0);
      if (aux) {
        if (aux.aluState && (aux.aluState !== info.aluState || aux.aluLimit !== aluLimit)) fail('aluPaths');
        aux.aluState = info.aluState;
        aux.aluLimit = aluLimit;
      }
      return;
    }
    info.aluState = (offIsNeg ? ALU_NEG_VALUE : 0) | (offIsImm ? ALU_IMMEDIATE : 0) | (reversed ? ALU_SANITIZE_DST : ALU_SANITIZE_SRC);
    info.aluLimit = limit;
    // Pruning compares scalars exactly from now on, to see every mask a path may need.
    if (!offIsImm) env.exploreAluLimits = true;
  }
  if (commit || offIsImm) return;
  // The mispredicted path: the offset masked to 0, so the destination is the pointer itself.
  pushSpeculative(env, env.insnIdx + 1, env.insnIdx, reversed ? [insn.dst] : [], ptr);
}
