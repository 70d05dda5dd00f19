/**
 * Step 4b, transfer of memory accesses (`check_mem_access` and the stack,
 * map value, packet and context checks it dispatches to): loads, stores and
 * atomics, with the kernel's messages.
 */
import type { Insn, Size } from '@bpflab/isa';
import { isReg } from '@bpflab/isa';
import { S64_MIN, U32_MAX, U64_MAX, s64 } from '../domain/num';
import { formatTnum, tnumAdd, tnumCast, tnumConst, tnumIsAligned, tnumIsConst } from '../domain/tnum';
import { msg } from '../messages';
import { regTypeName } from '../log/state-printer';
import {
  boundsOf,
  knownScalar,
  NOT_INIT,
  pointer,
  syncBounds,
  UNBOUNDED32,
  withBounds,
  type RegState,
} from '../state/reg-state';
import {
  EMPTY_SLOT,
  isSpilled,
  isSpilledScalar,
  SLOT,
  setSlot,
  slotAt,
  type FrameState,
  type StackSlot,
} from '../state/verifier-state';
import type { CtxYield } from '../types';
import { reject, type Env } from './env';
import { MAX_VAR_OFF } from './prepare';
import { markChainPrecision, pushHistory } from './precision';
import { checkRegRead, checkRegWrite, isLeakingPointer, unknown } from './transfer-alu';
import { checkBtfCtxAccess } from '../btf-ctx/ctx-access';
import { checkBtfPtrAccess } from '../btf-ctx/ptr-access';

/** `MAX_BPF_STACK` */
const MAX_STACK = 512;

type Access = 'read' | 'write';

/** The frame a stack pointer points into. */
export const frameOf = (env: Env, r: RegState): FrameState => env.cur.frames[r.frameno] as FrameState;

/** `register_is_null` */
const isNull = (r: RegState | undefined): boolean =>
  r !== undefined && r.kind === 'scalar' && tnumIsConst(r.varOff) && r.varOff.value === 0n;

const bitLength = (x: bigint): number => (x === 0n ? 0 : x.toString(2).length);

/** A known zero scalar (`__mark_reg_const_zero`). */
const constZero = (env: Env): RegState => ({ ...knownScalar(0n), precise: !env.bpfCapable });

/** Byte type of a slot at byte index j. */
const typeAt = (s: StackSlot, j: number): string => s.types[j] as string;
const withType = (types: string, j: number, t: string): string => types.slice(0, j) + t + types.slice(j + 1);

/** `scrub_spilled_slot` over a whole slot: everything initialised becomes misc. */
const scrub = (types: string): string => types.replace(/[^?]/g, 'm');

/** Gives the spilled (or to-be-spilled) scalar an id, as `assign_scalar_id_before_mov` does. */
function withScalarId(env: Env, r: RegState): RegState {
  if (r.kind !== 'scalar') return r;
  let v = r;
  if (v.addConst !== 0) v = { ...v, id: 0, off: 0, addConst: 0 };
  if (v.id === 0 && !tnumIsConst(v.varOff)) v = { ...v, id: env.newId() };
  return v;
}

/* --------------------------------------------------------------- alignment */

function checkAlignment(env: Env, reg: RegState, off: number, size: number, strictOnce: boolean): void {
  let desc = '';
  let strict = strictOnce;
  switch (reg.kind) {
    case 'pkt':
    case 'pkt_meta':
      return; // x86 handles unaligned packet access; strict only with BPF_F_STRICT_ALIGNMENT
    case 'map_key':
      desc = 'key ';
      break;
    case 'map_value':
      desc = 'value ';
      break;
    case 'ctx':
      desc = 'context ';
      break;
    case 'fp':
      desc = 'stack ';
      strict = true;
      break;
    default:
      break;
  }
  if (!strict || size === 1) return;
  const at = tnumAdd(reg.varOff, tnumConst(BigInt(reg.off + off)));
  if (!tnumIsAligned(at, size)) {
    reject('misalignedAccess', msg.misalignedAccess(desc, formatTnum(reg.varOff), reg.off, off, size));
  }
}

/* --------------------------------------------------------- region accesses */

function memAccessMessage(reg: RegState, regno: number, off: number, size: number, memSize: number): string {
  switch (reg.kind) {
    case 'map_key':
      return msg.invalidMapKeyAccess(memSize, off, size);
    case 'map_value':
      return msg.invalidMapValueAccess(memSize, off, size);
    case 'pkt':
    case 'pkt_meta':
    case 'pkt_end':
      return msg.invalidPacketAccess(off, size, regno, reg.id, off, memSize);
    default:
      return msg.invalidMemRegionAccess(memSize, off, size);
  }
}

const accessOk = (off: bigint, size: number, memSize: number, zeroOk: boolean): boolean =>
  off >= 0n && (size > 0 || (size === 0 && zeroOk)) && off + BigInt(size) <= BigInt(memSize);

/** `check_mem_region_access`: [min, max] of the pointer plus `off` inside `memSize` bytes. */
export function checkMemRegion(env: Env, regno: number, reg: RegState, off: number, size: number, memSize: number, zeroOk: boolean): void {
  const o = BigInt(off);
  if (reg.smin < 0n && (reg.smin === S64_MIN || o + reg.smin !== BigInt.asIntN(32, o + reg.smin) || reg.smin + o < 0n)) {
    reject('minValueNegative', msg.minValueNegative(regno));
  }
  if (!accessOk(reg.smin + o, size, memSize, zeroOk)) {
    const first = memAccessMessage(reg, regno, Number(reg.smin + o), size, memSize);
    reject('minValueOutside', `${first}\n${msg.minValueOutside(regno)}`);
  }
  if (reg.umax >= BigInt(MAX_VAR_OFF)) reject('unboundedMemAccess', msg.unboundedMemAccess(regno));
  if (!accessOk(reg.umax + o, size, memSize, zeroOk)) {
    const first = memAccessMessage(reg, regno, Number(reg.umax + o), size, memSize);
    reject('maxValueOutside', `${first}\n${msg.maxValueOutside(regno)}`);
  }
}

/** `check_packet_access` */
export function checkPacketAccess(env: Env, regno: number, reg: RegState, off: number, size: number, zeroOk: boolean): void {
  if (reg.smin < 0n) reject('minValueNegative', msg.minValueNegative(regno));
  if (reg.range < 0 || !accessOk(BigInt(off), size, reg.range, zeroOk)) {
    const first = reg.range < 0 ? '' : `${memAccessMessage(reg, regno, off, size, reg.range)}\n`;
    reject('pktOffsetOutside', `${first}${msg.pktOffsetOutside(regno)}`);
  }
}

/** `__check_ptr_off_reg`: the pointer must be unmodified (ctx, pkt_end...). */
export function checkPtrOffReg(reg: RegState, regno: number, fixedOffOk: boolean): void {
  const t = regTypeName(reg);
  if (reg.off < 0) reject('negativeOffsetPtr', msg.negativeOffsetPtr(t, regno, reg.off));
  if (!fixedOffOk && reg.off !== 0) reject('modifiedCtxPtr', msg.modifiedCtxPtr(t, regno, reg.off));
  if (!tnumIsConst(reg.varOff) || reg.varOff.value !== 0n) reject('variableCtxAccess', msg.variableCtxAccess(t, formatTnum(reg.varOff)));
}

/** The context field an access falls in, or `undefined` when the access is invalid (`is_valid_access`). */
function ctxAccess(env: Env, off: number, size: number, t: Access): CtxYield | undefined {
  const layout = env.progType.ctx;
  if (off < 0 || off >= layout.size || off % size !== 0) return undefined;
  for (const f of layout.fields) {
    if (off < f.offset || off + size > f.offset + f.size) continue;
    const sizes = t === 'read' ? f.read : f.write;
    if (!sizes.includes(size as Size)) return undefined;
    return f.yields ?? 'scalar';
  }
  return undefined;
}

/* ------------------------------------------------------------------- stack */

function checkStackBounds(env: Env, regno: number, reg: RegState, off: number, size: number, t: Access): void {
  const dir = t === 'read' ? 'read from' : 'write to';
  const frame = frameOf(env, reg);
  let minOff: bigint;
  let maxOff: bigint;
  if (tnumIsConst(reg.varOff)) {
    minOff = s64(reg.varOff.value) + BigInt(off);
    maxOff = minOff + BigInt(size);
  } else {
    if (reg.smax >= BigInt(MAX_VAR_OFF) || reg.smin <= -BigInt(MAX_VAR_OFF)) reject('unboundedVarStack', msg.unboundedVarStack(dir, regno));
    minOff = reg.smin + BigInt(off);
    maxOff = reg.smax + BigInt(off) + BigInt(size);
  }
  const minValid = t === 'write' || env.allowUninitStack ? -MAX_STACK : -frame.stack.length * SLOT;
  const bad = minOff < BigInt(minValid) || minOff > -1n || maxOff > 0n;
  if (bad) {
    if (tnumIsConst(reg.varOff)) reject('invalidStackRange', msg.invalidStackRange(dir, regno, off, size));
    reject('invalidVarStackRange', msg.invalidVarStackRange(dir, regno, formatTnum(reg.varOff), off, size));
  }
  growStack(env, frame, Number(-minOff));
}

/** Grows the allocated stack to cover `size` bytes below fp (`grow_stack_state`). */
export function growStack(env: Env, frame: FrameState, size: number): void {
  const slots = Math.ceil(size / SLOT);
  while (frame.stack.length < slots) frame.stack.push(EMPTY_SLOT);
  const sp = env.subprogs[frame.subprogno];
  if (sp && sp.stackDepth < slots * SLOT) sp.stackDepth = slots * SLOT;
}

/** `check_stack_write_fixed_off` */
function stackWriteFixed(env: Env, frame: FrameState, off: number, size: number, valueRegno: number, insn: Insn): void {
  const spi = Math.floor((-off - 1) / SLOT);
  const slotIdx = -off - 1;
  const old = slotAt(frame, spi);
  if (!env.allowPtrLeaks && isSpilled(old) && !isSpilledScalar(old) && size !== SLOT) {
    reject('corruptSpilledPointer', msg.corruptSpilledPointer());
  }
  const reg = valueRegno >= 0 ? env.reg(valueRegno) : undefined;
  if (!env.bypassSpec) {
    // Speculative store bypass: a spilled pointer, or a store over bytes that
    // held anything but data, gets a barrier after it (`nospec_result`).
    // The kernel looks at the slot's first `size` type bytes.
    const sanitize = (reg !== undefined && reg.kind !== 'scalar' && reg.kind !== 'not_init') || [...old.types.slice(0, size)].some((t) => t !== 'm' && t !== '0');
    const aux = env.aux[env.insnIdx];
    if (sanitize && aux) aux.nospecResult = true;
  }
  env.markSlotScratched(spi);
  let spilled = false;
  const aligned = off % SLOT === 0;
  if (reg && aligned && reg.kind === 'scalar' && env.bpfCapable) {
    const fits = bitLength(reg.umax) <= 8 * size;
    let v = reg;
    if (fits) {
      v = withScalarId(env, reg);
      env.setReg(valueRegno, v);
    }
    saveRegister(frame, spi, fits ? v : { ...v, id: 0, addConst: 0, off: 0 }, size);
    spilled = true;
  } else if (!reg && aligned && insn.kind === 'store' && env.bpfCapable) {
    const imm = isReg(insn.src) ? 0 : insn.src.imm | 0;
    saveRegister(frame, spi, knownScalar(BigInt(imm)), size);
    spilled = true;
  } else if (reg && reg.kind !== 'scalar') {
    if (size !== SLOT) {
      env.verboseLinfo(env.insnIdx, '; ');
      reject('invalidSizeOfReg', msg.invalidSizeOfReg(valueRegno));
    }
    if (frame !== env.frame && reg.kind === 'fp') reject('spillPtrToCallerStack', msg.spillPtrToCallerStack());
    saveRegister(frame, spi, reg, size);
    spilled = true;
  } else {
    let types = old.types;
    if (isSpilled(old)) types = scrub(types);
    let t = 'm';
    if (isNull(reg) || (!reg && insn.kind === 'store' && !isReg(insn.src) && insn.src.imm === 0)) {
      if (reg) markChainPrecision(env, valueRegno);
      t = '0';
    }
    for (let i = 0; i < size; i++) types = withType(types, (slotIdx - i) % SLOT, t);
    setSlot(frame, spi, { types, spilled: NOT_INIT });
  }
  if (size === SLOT && aligned) env.markStackWrite(frame.frameno, spi);
  if (spilled) pushHistory(env, { frame: frame.frameno, spi });
}

/** `save_register_state`: the low `size` bytes become a spill of `reg`. */
function saveRegister(frame: FrameState, spi: number, reg: RegState, size: number): void {
  let types = slotAt(frame, spi).types;
  let i = SLOT;
  for (; i > SLOT - size; i--) types = withType(types, i - 1, 'r');
  for (; i > 0; i--) {
    const t = types[i - 1];
    if (t !== '0' && t !== '?') types = withType(types, i - 1, 'm');
  }
  setSlot(frame, spi, { types, spilled: reg });
}

/** `check_stack_write_var_off` */
function stackWriteVar(env: Env, frame: FrameState, reg: RegState, off: number, size: number, valueRegno: number, insn: Insn): void {
  const minOff = Number(reg.smin) + off;
  const maxOff = Number(reg.smax) + off + size;
  const value = valueRegno >= 0 ? env.reg(valueRegno) : undefined;
  const writingZero = isNull(value) || (!value && insn.kind === 'store' && !isReg(insn.src) && insn.src.imm === 0);
  let zeroUsed = false;
  for (let i = minOff; i < maxOff; i++) {
    const slotIdx = -i - 1;
    const spi = Math.floor(slotIdx / SLOT);
    const j = slotIdx % SLOT;
    const slot = slotAt(frame, spi);
    const t = typeAt(slot, j);
    env.markSlotScratched(spi);
    if (!env.allowPtrLeaks && t !== 'm' && t !== '0') reject('spilledPtrInVarWrite', msg.spilledPtrInVarWrite(env.insnIdx, i));
    if (writingZero && t === 'r' && isSpilledScalar(slot) && tnumIsConst(slot.spilled.varOff) && slot.spilled.varOff.value === 0n) {
      zeroUsed = true;
      continue;
    }
    let nt = 'm';
    if (writingZero && t === '0') {
      nt = '0';
      zeroUsed = true;
    }
    if (t === '?' && !env.allowUninitStack) reject('uninitInVarWrite', msg.uninitInVarWrite(env.insnIdx, i));
    setSlot(frame, spi, { types: withType(slot.types, j, nt), spilled: NOT_INIT });
  }
  if (zeroUsed && valueRegno >= 0) markChainPrecision(env, valueRegno);
}

/** An uninitialised stack byte that may be read (CAP_PERFMON). */
const uninitOk = (env: Env, t: string): boolean => t === '?' && env.allowUninitStack;

/** `check_stack_read_fixed_off` */
function stackReadFixed(env: Env, frame: FrameState, off: number, size: number, dstRegno: number): void {
  const slotIdx = -off - 1;
  const spi = Math.floor(slotIdx / SLOT);
  const slot = slotAt(frame, spi);
  const reg = slot.spilled;
  env.markSlotScratched(spi);
  env.markStackRead(frame.frameno, spi);
  let restored = false;
  if (isSpilled(slot)) {
    let spillSize = 1;
    for (let i = SLOT - 1; i > 0 && slot.types[i - 1] === 'r'; i--) spillSize++;
    if (size !== SLOT || spillSize !== SLOT) {
      if (reg.kind !== 'scalar') {
        env.verboseLinfo(env.insnIdx, '; ');
        reject('invalidSizeOfRegFill', msg.invalidSizeOfRegFill());
      }
      if (dstRegno < 0) return;
      if (stackNarrowOk(off, size, spillSize)) {
        let src = reg;
        if (env.bpfCapable && size === 4 && spillSize === 4 && bitLength(reg.umax) <= 32) {
          src = withScalarId(env, reg);
          setSlot(frame, spi, { ...slot, spilled: src });
        }
        let v = src;
        if (bitLength(src.umax) > size * 8) v = { ...v, id: 0, addConst: 0, off: 0 };
        env.setReg(dstRegno, v);
        restored = true;
      } else {
        let spillCnt = 0;
        let zeroCnt = 0;
        for (let i = 0; i < size; i++) {
          const t = typeAt(slot, (slotIdx - i) % SLOT);
          if (t === 'r') spillCnt++;
          else if (t === '0') zeroCnt++;
          else if (t !== 'm' && !uninitOk(env, t)) reject('invalidReadFromStackOff', msg.invalidReadFromStackOff(off, i, size));
        }
        if (spillCnt === size && tnumIsConst(reg.varOff) && reg.varOff.value === 0n) {
          env.setReg(dstRegno, constZero(env));
          restored = true;
        } else if (zeroCnt === size) {
          env.setReg(dstRegno, constZero(env));
        } else {
          env.setReg(dstRegno, unknown(env));
        }
      }
    } else if (dstRegno >= 0) {
      let src = reg;
      if (env.bpfCapable) {
        src = withScalarId(env, reg);
        if (src !== reg) setSlot(frame, spi, { ...slot, spilled: src });
      }
      env.setReg(dstRegno, src);
      restored = true;
    } else if (isLeakingPointer(env, reg)) {
      reject('leakingPointerFromStack', msg.leakingPointerFromStack(off));
    }
  } else {
    for (let i = 0; i < size; i++) {
      const t = typeAt(slot, (slotIdx - i) % SLOT);
      if (t === 'm' || t === '0' || uninitOk(env, t)) continue;
      reject('invalidReadFromStackOff', msg.invalidReadFromStackOff(off, i, size));
    }
    if (dstRegno >= 0) markRegStackRead(env, frame, off, off + size, dstRegno);
  }
  if (restored) pushHistory(env, { frame: frame.frameno, spi });
}

/** `bpf_stack_narrow_access_ok`: the low bytes of a spill, at the spill's start. */
function stackNarrowOk(off: number, size: number, spillSize: number): boolean {
  // Little endian: the low bytes of a spill sit at the slot's lowest address.
  return size <= spillSize && off % SLOT === 0;
}

/** `mark_reg_stack_read`: all zero bytes give a known 0, anything else an unknown scalar. */
function markRegStackRead(env: Env, frame: FrameState, minOff: number, maxOff: number, dstRegno: number): void {
  let zeros = 0;
  for (let i = minOff; i < maxOff; i++) {
    const slotIdx = -i - 1;
    const spi = Math.floor(slotIdx / SLOT);
    env.markSlotScratched(spi);
    if (typeAt(slotAt(frame, spi), slotIdx % SLOT) !== '0') break;
    zeros++;
  }
  env.setReg(dstRegno, zeros === maxOff - minOff ? constZero(env) : unknown(env));
}

/** `check_stack_read_var_off` */
function stackReadVar(env: Env, frame: FrameState, reg: RegState, regno: number, off: number, size: number, dstRegno: number): void {
  const minOff = Number(reg.smin) + off;
  const maxOff = Number(reg.smax) + off;
  checkStackRangeInitialized(env, frame, reg, regno, minOff, maxOff, size, false);
  markRegStackRead(env, frame, minOff, maxOff + size, dstRegno);
}

/**
 * `check_stack_range_initialized`: bytes [minOff, maxOff + size) of the stack
 * are initialised (or may be read uninitialised by a privileged program).
 * With `clobber`, a helper writes them: spills become misc.
 */
export function checkStackRangeInitialized(
  env: Env,
  frame: FrameState,
  reg: RegState,
  regno: number,
  minOff: number,
  maxOff: number,
  size: number,
  clobber: boolean,
): void {
  for (let i = minOff; i < maxOff + size; i++) {
    const slotIdx = -i - 1;
    const spi = Math.floor(slotIdx / SLOT);
    const j = slotIdx % SLOT;
    const slot = slotAt(frame, spi);
    const t = typeAt(slot, j);
    env.markStackRead(frame.frameno, spi);
    if (t === 'm') continue;
    if (t === '0' || (t === '?' && env.allowUninitStack)) {
      if (clobber) setSlot(frame, spi, { ...slot, types: withType(slot.types, j, 'm') });
      continue;
    }
    if (isSpilled(slot) && (slot.spilled.kind === 'scalar' || env.allowPtrLeaks)) {
      if (clobber) setSlot(frame, spi, { types: scrub(slot.types), spilled: unknown(env) });
      continue;
    }
    if (tnumIsConst(reg.varOff)) reject('invalidStackReadAt', msg.invalidStackReadAt(regno, minOff, i - minOff, size));
    reject('invalidStackReadVar', msg.invalidStackReadVar(regno, formatTnum(reg.varOff), i - minOff, size));
  }
}

/**
 * Checks a helper's access to stack memory (`check_helper_mem_access` for
 * `PTR_TO_STACK`): in bounds, and initialised unless the helper only writes.
 */
export function checkStackHelperAccess(env: Env, regno: number, size: number, zeroOk: boolean, rawWrite: boolean): void {
  const reg = env.reg(regno);
  const frame = frameOf(env, reg);
  const off = reg.off;
  if (size === 0 && zeroOk) return;
  checkStackBounds(env, regno, reg, off, size, rawWrite ? 'write' : 'read');
  if (tnumIsConst(reg.varOff)) {
    const min = off + Number(BigInt.asIntN(64, reg.varOff.value));
    if (rawWrite) return;
    checkStackRangeInitialized(env, frame, reg, regno, min, min, size, false);
    return;
  }
  if (!env.allowPtrLeaks || !env.allowUninitStack) {
    reject('varOffStackToHelper', msg.varOffStackToHelper(formatTnum(reg.varOff), off, size));
  }
  const min = Number(reg.smin) + off;
  const max = Number(reg.smax) + off;
  if (rawWrite) return;
  checkStackRangeInitialized(env, frame, reg, regno, min, max, size, false);
}

/* ------------------------------------------------------------------ access */

/** Keeps the low `size` bytes of a loaded scalar (`coerce_reg_to_size`). */
export function coerceToSize(r: RegState, size: number): RegState {
  const b = boundsOf(r);
  b.varOff = tnumCast(b.varOff, size);
  const mask = (1n << BigInt(size * 8)) - 1n;
  if ((b.umin & ~mask & U64_MAX) === (b.umax & ~mask & U64_MAX)) {
    b.umin &= mask;
    b.umax &= mask;
  } else {
    b.umin = 0n;
    b.umax = mask;
  }
  b.smin = b.umin;
  b.smax = b.umax;
  if (size < 4) Object.assign(b, UNBOUNDED32);
  syncBounds(b);
  return withBounds(r, b);
}

/** Sign-extending load bounds: the loaded value spans the signed range of its size. */
function coerceToSizeSx(r: RegState, size: number): RegState {
  const bits = BigInt(size * 8);
  const half = 1n << (bits - 1n);
  const b = boundsOf({ ...r });
  if (tnumIsConst(r.varOff)) {
    const v = BigInt.asUintN(64, BigInt.asIntN(size * 8, r.varOff.value));
    return { ...knownScalar(v), precise: r.precise };
  }
  b.smin = -half;
  b.smax = half - 1n;
  b.umin = 0n;
  b.umax = U64_MAX;
  b.s32min = size === 4 ? -(1n << 31n) : -half;
  b.s32max = size === 4 ? (1n << 31n) - 1n : half - 1n;
  b.u32min = 0n;
  b.u32max = U32_MAX;
  b.varOff = { value: 0n, mask: U64_MAX };
  syncBounds(b);
  return withBounds(r, b);
}

/**
 * `check_mem_access`: a load (`t = read`, result into `valueRegno`) or a
 * store (`t = write`, value from `valueRegno` or an immediate when -1)
 * through register `regno` at `off`.
 */
export function checkMemAccess(
  env: Env,
  insn: Insn,
  regno: number,
  insnOff: number,
  size: number,
  t: Access,
  valueRegno: number,
  strictOnce: boolean,
  signed: boolean,
): void {
  const reg = env.reg(regno);
  checkAlignment(env, reg, insnOff, size, strictOnce);
  const off = insnOff + reg.off;
  const leaking = t === 'write' && valueRegno >= 0 && isLeakingPointer(env, env.reg(valueRegno));
  switch (reg.kind) {
    case 'map_key': {
      if (t === 'write') reject('writeToMapKey', msg.writeToMapKey(regno));
      checkMemRegion(env, regno, reg, off, size, reg.map?.keySize ?? 0, false);
      if (valueRegno >= 0) env.setReg(valueRegno, unknown(env));
      break;
    }
    case 'map_value': {
      if (reg.maybeNull) reject('invalidMemAccess', msg.invalidMemAccess(regno, regTypeName(reg)));
      if (leaking) reject('leaksAddrIntoMap', msg.leaksAddrIntoMap(valueRegno));
      const map = reg.map;
      const valueSize = map?.valueSize ?? 0;
      if (t === 'write' && map && env.options.maps[map.index]?.readonlyProg) {
        reject('mapWriteForbidden', msg.mapWriteForbidden(valueSize, off, size));
      }
      checkMemRegion(env, regno, reg, off, size, valueSize, false);
      if (t === 'read' && valueRegno >= 0) env.setReg(valueRegno, unknown(env));
      break;
    }
    case 'mem': {
      if (reg.maybeNull) reject('invalidMemAccess', msg.invalidMemAccess(regno, regTypeName(reg)));
      if (t === 'write' && reg.rdonly) reject('writeToReadonly', msg.writeToReadonly(regno, regTypeName(reg)));
      if (leaking) reject('leaksAddrIntoMem', msg.leaksAddrIntoMem(valueRegno));
      checkMemRegion(env, regno, reg, off, size, reg.memSize, false);
      if (valueRegno >= 0 && (t === 'read' || reg.rdonly)) env.setReg(valueRegno, unknown(env));
      break;
    }
    case 'ctx': {
      if (reg.maybeNull) reject('invalidMemAccess', msg.invalidMemAccess(regno, regTypeName(reg)));
      if (leaking) reject('leaksAddrIntoCtx', msg.leaksAddrIntoCtx(valueRegno));
      checkPtrOffReg(reg, regno, false);
      if (env.progType.btfCtx !== undefined) {
        checkBtfCtxAccess(env, env.progType.btfCtx, off, size, t === 'write', valueRegno);
        break;
      }
      const yields = ctxAccess(env, off, size, t);
      if (yields === undefined) {
        env.verboseLinfo(env.insnIdx, '; ');
        reject('invalidCtxAccess', msg.invalidCtxAccess(off, size));
      }
      if (t === 'read' && valueRegno >= 0) {
        env.setReg(valueRegno, yields === 'scalar' ? unknown(env) : pointer(yields));
      }
      break;
    }
    case 'fp': {
      checkStackBounds(env, regno, reg, off, size, t);
      const frame = frameOf(env, reg);
      if (t === 'read') {
        if (valueRegno < 0 && !tnumIsConst(reg.varOff)) {
          reject('varOffStackToHelper', msg.varOffStackToHelper(formatTnum(reg.varOff), off, size));
        }
        if (tnumIsConst(reg.varOff)) stackReadFixed(env, frame, off + Number(BigInt.asIntN(64, reg.varOff.value)), size, valueRegno);
        else stackReadVar(env, frame, reg, regno, off, size, valueRegno);
      } else if (tnumIsConst(reg.varOff)) {
        stackWriteFixed(env, frame, off + Number(BigInt.asIntN(64, reg.varOff.value)), size, valueRegno, insn);
      } else {
        stackWriteVar(env, frame, reg, off, size, valueRegno, insn);
      }
      break;
    }
    case 'pkt':
    case 'pkt_meta': {
      if (t === 'write' && !env.progType.packet?.write) reject('cannotWritePacket', msg.cannotWritePacket());
      if (leaking) reject('leaksAddrIntoPacket', msg.leaksAddrIntoPacket(valueRegno));
      checkPacketAccess(env, regno, reg, off, size, false);
      if (t === 'read' && valueRegno >= 0) env.setReg(valueRegno, unknown(env));
      break;
    }
    case 'btf_id':
      checkBtfPtrAccess(env, regno, reg, off, size, t === 'write', t === 'read' ? valueRegno : -1);
      break;
    default:
      reject('invalidMemAccess', msg.invalidMemAccess(regno, regTypeName(reg)));
  }
  if (size < SLOT && valueRegno >= 0 && t === 'read') {
    const v = env.reg(valueRegno);
    if (v.kind === 'scalar') env.setReg(valueRegno, signed ? coerceToSizeSx(v, size) : coerceToSize(v, size));
  }
}

/** Records the pointer kind an instruction accessed memory through (`save_aux_ptr_type`). */
function saveAuxPtrType(env: Env, kind: string): void {
  const aux = env.aux[env.insnIdx];
  if (aux === undefined) return;
  if (aux.ptrType === undefined) {
    aux.ptrType = kind;
    return;
  }
  // ctx accesses are rewritten per pointer type, so one instruction may not mix them
  if (aux.ptrType !== kind && (kind === 'ctx' || aux.ptrType === 'ctx')) {
    reject('sameInsnDifferentPtrs', msg.sameInsnDifferentPtrs());
  }
}

/** `BPF_LDX`: a load. */
export function checkLoad(env: Env, insn: Insn & { kind: 'load' }): void {
  checkRegRead(env, insn.base);
  checkRegWrite(env, insn.dst);
  const kind = env.reg(insn.base).kind;
  checkMemAccess(env, insn, insn.base, insn.off, insn.size, 'read', insn.dst, false, insn.signed);
  saveAuxPtrType(env, kind);
}

/** `BPF_STX` / `BPF_ST`: a store. */
export function checkStore(env: Env, insn: Insn & { kind: 'store' }): void {
  if (isReg(insn.src)) checkRegRead(env, insn.src.reg);
  checkRegRead(env, insn.base);
  const kind = env.reg(insn.base).kind;
  checkMemAccess(env, insn, insn.base, insn.off, insn.size, 'write', isReg(insn.src) ? insn.src.reg : -1, false, false);
  saveAuxPtrType(env, kind);
}

/** `check_atomic`: read-modify-write of memory. */
export function checkAtomic(env: Env, insn: Insn & { kind: 'atomic' }): void {
  checkRegRead(env, insn.src);
  checkRegRead(env, insn.base);
  if (insn.op === 'cmpxchg') {
    const r0 = checkRegRead(env, 0);
    if (isLeakingPointer(env, r0)) reject('leaksAddrIntoMem', msg.leaksAddrIntoMem(0));
  }
  if (isLeakingPointer(env, env.reg(insn.src))) reject('leaksAddrIntoMem', msg.leaksAddrIntoMem(insn.src));
  const base = env.reg(insn.base);
  if (base.kind === 'ctx' || base.kind === 'pkt' || base.kind === 'pkt_meta') {
    reject('atomicNotAllowed', msg.atomicNotAllowed(insn.base, regTypeName(base)));
  }
  const fetch = insn.fetch || insn.op === 'xchg' || insn.op === 'cmpxchg';
  let loadReg = -1;
  if (fetch) {
    loadReg = insn.op === 'cmpxchg' ? 0 : insn.src;
    checkRegWrite(env, loadReg);
    env.setReg(loadReg, unknown(env));
  }
  checkMemAccess(env, insn, insn.base, insn.off, insn.size, 'read', -1, true, false);
  if (loadReg >= 0) checkMemAccess(env, insn, insn.base, insn.off, insn.size, 'read', loadReg, true, false);
  checkMemAccess(env, insn, insn.base, insn.off, insn.size, 'write', -1, true, false);
}
