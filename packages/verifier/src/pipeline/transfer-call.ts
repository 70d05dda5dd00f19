/**
 * Step 4d, calls and exits: helper calls checked against their prototypes
 * (`check_helper_call`, `check_func_arg`), BPF-to-BPF calls and returns
 * (`check_func_call`, `prepare_func_exit`), `bpf_loop` callbacks, the return
 * value at program exit (`check_return_code`), `lddw` and the legacy packet
 * loads.
 */
import { btfHelperResult } from '../btf-ctx/helper-result';
import { isVoidLsmHook, returnWithin } from '../btf-ctx/return-range';
import { helperById, type ArgType, type Helper, type HelperProto } from '@bpflab/uapi';
import type { Insn } from '@bpflab/isa';
import { formatTnum, tnumIsConst } from '../domain/tnum';
import { S32_MAX, S64_MAX, S64_MIN } from '../domain/num';
import { msg } from '../messages';
import { regTypeName } from '../log/state-printer';
import { formatFrameState } from '../log/state-printer';
import {
  isNullScalar,
  knownScalar,
  NOT_INIT,
  pointer,
  regBoundsSync,
  type MapInfo,
  type RegState,
} from '../state/reg-state';
import { copyState, newFrame, SLOT, slotAt, isSpilledScalar, type VerifierState } from '../state/verifier-state';
import { reject, type Env } from './env';
import { mapTypeNumber } from './prepare';
import { markChainPrecision, markStackPrecision } from './precision';
import { checkRegRead, checkRegWrite, isLeakingPointer, unknown } from './transfer-alu';
import {
  checkMemAccess,
  checkMemRegion,
  checkPacketAccess,
  checkPtrOffReg,
  checkStackHelperAccess,
  frameOf,
} from './transfer-mem';
import { pushBranch } from './branches';

/** `MAX_CALL_FRAMES` */
const MAX_CALL_FRAMES = 8;
/** `BPF_MAX_VAR_SIZ` */
const MAX_VAR_SIZ = 1n << 29n;
/** `MAX_ERRNO` */
const MAX_ERRNO = 4095n;

/** Register types each argument kind accepts, in the kernel's order (`compatible_reg_types`). */
const MEM_TYPES = ['fp', 'pkt', 'pkt_meta', 'map_key', 'map_value', 'mem', 'ringbuf_mem', 'buf', 'trusted_ptr_'];
const COMPATIBLE: Partial<Record<ArgType['base'], readonly string[]>> = {
  ARG_CONST_MAP_PTR: ['map_ptr'],
  ARG_PTR_TO_MAP_KEY: MEM_TYPES,
  ARG_PTR_TO_MAP_VALUE: MEM_TYPES,
  ARG_PTR_TO_MEM: MEM_TYPES,
  ARG_PTR_TO_CTX: ['ctx'],
  ARG_PTR_TO_RINGBUF_MEM: ['ringbuf_mem'],
  ARG_PTR_TO_FUNC: ['func'],
  ARG_PTR_TO_STACK: ['fp'],
  ARG_PTR_TO_CONST_STR: ['map_value'],
  ARG_CONST_SIZE: ['scalar'],
  ARG_CONST_SIZE_OR_ZERO: ['scalar'],
  ARG_CONST_ALLOC_SIZE_OR_ZERO: ['scalar'],
};

/** What argument checks learned for the call (`struct bpf_call_arg_meta`). */
interface CallMeta {
  map: MapInfo | undefined;
  rawMode: boolean;
  accessSize: number;
  regno: number;
  memSize: number;
  msizeMax: bigint;
  refObjId: number;
  releaseRegno: number;
  subprog: number;
  constMapKey: bigint;
}

const hasFlag = (a: ArgType, f: string): boolean => (a.flags as readonly string[]).includes(f);
const isNullReg = (r: RegState): boolean => r.kind === 'scalar' && tnumIsConst(r.varOff) && r.varOff.value === 0n;

/** The helpers the program type allows at the current privilege. */
function helperAllowed(env: Env, id: number): boolean {
  const list = env.allowPtrLeaks ? env.progType.helpers : (env.progType.unprivilegedHelpers ?? env.progType.helpers);
  return list.includes(id);
}

/** `check_helper_mem_access`: the memory argument `regno` of `size` bytes. */
function checkHelperMem(env: Env, regno: number, size: number, write: boolean, zeroOk: boolean, meta: CallMeta | undefined): void {
  const reg = env.reg(regno);
  switch (reg.kind) {
    case 'pkt':
    case 'pkt_meta':
      return checkPacketAccess(env, regno, reg, reg.off, size, zeroOk);
    case 'map_key':
      if (write) reject('writeToReadonly', msg.writeToReadonly(regno, regTypeName(reg)));
      return checkMemRegion(env, regno, reg, reg.off, size, reg.map?.keySize ?? 0, false);
    case 'map_value':
      if (write && reg.map && env.options.maps[reg.map.index]?.readonlyProg) {
        reject('mapWriteForbidden', msg.mapWriteForbidden(reg.map.valueSize, reg.off, size));
      }
      return checkMemRegion(env, regno, reg, reg.off, size, reg.map?.valueSize ?? 0, zeroOk);
    case 'mem':
      if (reg.rdonly && write) reject('writeToReadonly', msg.writeToReadonly(regno, regTypeName(reg)));
      return checkMemRegion(env, regno, reg, reg.off, size, reg.memSize, zeroOk);
    case 'fp': {
      if (size === 0 && !zeroOk) reject('invalidZeroSizeRead', msg.invalidZeroSizeRead(regno));
      const raw = meta !== undefined && meta.rawMode && tnumIsConst(reg.varOff);
      checkStackHelperAccess(env, regno, size, zeroOk, raw);
      if (raw && meta) {
        meta.accessSize = size;
        meta.regno = regno;
      }
      return;
    }
    case 'ctx':
      return checkMemAccess(env, { kind: 'exit' }, regno, size - 1, 1, write ? 'write' : 'read', -1, false, false);
    default:
      if (zeroOk && size === 0 && isNullReg(reg)) return;
      reject('argType', msg.argType(regno, regTypeName(reg), 'fp'));
  }
}

/** `check_mem_size_reg`: a size argument bounding the memory argument before it. */
function checkMemSizeReg(env: Env, regno: number, write: boolean, zeroOk: boolean, meta: CallMeta): void {
  const reg = env.reg(regno);
  meta.msizeMax = reg.umax;
  const m = tnumIsConst(reg.varOff) ? meta : undefined;
  if (reg.smin < 0n) reject('minValueNegativeArg', msg.minValueNegativeArg(regno));
  if (reg.umin === 0n && !zeroOk) reject('zeroSizedRead', msg.zeroSizedRead(regno, reg.umin, reg.umax));
  if (reg.umax >= MAX_VAR_SIZ) reject('unboundedSizeArg', msg.unboundedSizeArg(regno));
  checkHelperMem(env, regno - 1, Number(reg.umax), write, zeroOk, m);
  markChainPrecision(env, regno);
}

/** `get_constant_map_key`: a constant array index read from the stack, or -1. */
function constantMapKey(env: Env, key: RegState, keySize: number): bigint {
  if (!env.bpfCapable || key.kind !== 'fp' || !tnumIsConst(key.varOff)) return -1n;
  const frame = frameOf(env, key);
  const stackOff = key.off + Number(BigInt.asIntN(64, key.varOff.value));
  const slotIdx = -stackOff - 1;
  const spi = Math.floor(slotIdx / SLOT);
  const off = slotIdx % SLOT;
  const slot = slotAt(frame, spi);
  let zero = 0;
  for (let i = off; i >= 0 && slot.types[i] === '0'; i--) zero++;
  if (zero >= keySize) return 0n;
  if (!isSpilledScalar(slot)) return -1n;
  let spill = 0;
  for (let i = off; i >= 0 && slot.types[i] === 'r'; i--) spill++;
  if (spill !== keySize || !tnumIsConst(slot.spilled.varOff)) return -1n;
  markStackPrecision(env, frame.frameno, spi);
  return slot.spilled.varOff.value;
}

/** `check_func_arg` for argument `i` (register i+1). */
function checkArg(env: Env, i: number, arg: ArgType | undefined, proto: HelperProto, meta: CallMeta): void {
  if (arg === undefined || arg.base === 'ARG_DONTCARE') return;
  const regno = i + 1;
  let reg = checkRegRead(env, regno);
  if (arg.base === 'ARG_ANYTHING' || arg.base === 'ARG_SCALAR') {
    if (isLeakingPointer(env, reg)) reject('leaksAddrIntoHelper', msg.leaksAddrIntoHelper(regno, '', 0));
    return;
  }
  if ((reg.kind === 'pkt' || reg.kind === 'pkt_meta') && !(proto.pktAccess && env.progType.packet)) {
    reject('helperPacketAccess', msg.helperPacketAccess());
  }
  const maybeNullArg = hasFlag(arg, 'PTR_MAYBE_NULL');
  if (!(isNullReg(reg) && maybeNullArg)) {
    const compatible = COMPATIBLE[arg.base];
    if (compatible === undefined) {
      reject('notModelled', msg.notModelled(`helper argument ${arg.text}`));
    }
    let t = reg;
    if (hasFlag(arg, 'MEM_RDONLY')) t = { ...t, rdonly: false };
    if (maybeNullArg) t = { ...t, maybeNull: false };
    const name = regTypeName(t);
    if (!compatible.includes(name)) {
      reject('argType', msg.argType(regno, regTypeName(reg), compatible.join(', ')));
    }
    // fixed and variable offsets: allowed for memory-like pointers, not for the rest
    if (!['fp', 'pkt', 'pkt_meta', 'map_key', 'map_value', 'mem', 'scalar'].includes(reg.kind)) {
      checkPtrOffReg(reg, regno, false);
    }
  }
  if (hasFlag(arg, 'OBJ_RELEASE')) {
    if (reg.refObjId === 0) reject('releaseReferenceExpected', msg.releaseReferenceExpected(regno));
    if (reg.off !== 0 || !tnumIsConst(reg.varOff) || reg.varOff.value !== 0n) {
      reject('releaseNeedsZeroOffset', msg.releaseNeedsZeroOffset(regno));
    }
    meta.releaseRegno = regno;
    meta.refObjId = reg.refObjId;
  } else if (reg.refObjId !== 0) {
    meta.refObjId = reg.refObjId;
  }
  switch (arg.base) {
    case 'ARG_CONST_MAP_PTR':
      meta.map = reg.map;
      break;
    case 'ARG_PTR_TO_MAP_KEY': {
      const map = meta.map;
      if (!map) return reject('mapPtrExpected', msg.mapPtrExpected());
      checkHelperMem(env, regno, map.keySize, false, false, undefined);
      if (map.type === 'array' || map.type === 'percpu_array') meta.constMapKey = constantMapKey(env, env.reg(regno), map.keySize);
      break;
    }
    case 'ARG_PTR_TO_MAP_VALUE': {
      if (maybeNullArg && isNullReg(reg)) return;
      const map = meta.map;
      if (!map) return reject('mapPtrExpected', msg.mapPtrExpected());
      meta.rawMode = hasFlag(arg, 'MEM_UNINIT');
      checkHelperMem(env, regno, map.valueSize, hasFlag(arg, 'MEM_WRITE'), false, meta);
      break;
    }
    case 'ARG_PTR_TO_FUNC':
      meta.subprog = reg.subprog;
      break;
    case 'ARG_PTR_TO_MEM':
      meta.rawMode = hasFlag(arg, 'MEM_UNINIT');
      if (hasFlag(arg, 'MEM_FIXED_SIZE')) checkHelperMem(env, regno, arg.size ?? 0, hasFlag(arg, 'MEM_WRITE'), false, meta);
      break;
    case 'ARG_CONST_SIZE':
    case 'ARG_CONST_SIZE_OR_ZERO': {
      const prev = proto.args[i - 1];
      checkMemSizeReg(env, regno, prev !== undefined && hasFlag(prev, 'MEM_WRITE'), arg.base === 'ARG_CONST_SIZE_OR_ZERO', meta);
      break;
    }
    case 'ARG_CONST_ALLOC_SIZE_OR_ZERO':
      reg = env.reg(regno);
      if (!tnumIsConst(reg.varOff)) reject('notKnownConstant', msg.notKnownConstant(regno));
      meta.memSize = Number(reg.varOff.value);
      markChainPrecision(env, regno);
      break;
    case 'ARG_PTR_TO_CONST_STR':
      reject('notReadonlyMap', msg.notReadonlyMap(regno));
      break;
    default:
      break;
  }
}

/** Two-way map/helper compatibility (`check_map_func_compatibility`). */
function checkMapFuncCompat(env: Env, map: MapInfo | undefined, h: Helper): void {
  if (!map) return;
  const t = map.type;
  const id = h.name;
  const fail = (): never => reject('mapFuncCompat', msg.mapFuncCompat(mapTypeNumber(map), h.fullName, h.id));
  const only: Record<string, readonly string[]> = {
    prog_array: ['tail_call'],
    perf_event_array: ['perf_event_read', 'perf_event_output', 'skb_output', 'perf_event_read_value', 'xdp_output'],
    ringbuf: ['ringbuf_output', 'ringbuf_reserve', 'ringbuf_query', 'ringbuf_reserve_dynptr', 'ringbuf_submit_dynptr', 'ringbuf_discard_dynptr'],
    stack_trace: ['get_stackid'],
    devmap: ['redirect_map', 'map_lookup_elem'],
    devmap_hash: ['redirect_map', 'map_lookup_elem'],
    cpumap: ['redirect_map'],
    xskmap: ['redirect_map', 'map_lookup_elem'],
    array_of_maps: ['map_lookup_elem'],
    hash_of_maps: ['map_lookup_elem'],
    queue: ['map_peek_elem', 'map_pop_elem', 'map_push_elem'],
    stack: ['map_peek_elem', 'map_pop_elem', 'map_push_elem'],
    bloom_filter: ['map_peek_elem', 'map_push_elem'],
  };
  const allowed = only[t];
  if (allowed && !allowed.includes(id)) fail();
  const needs: Record<string, readonly string[]> = {
    tail_call: ['prog_array'],
    perf_event_read: ['perf_event_array'],
    perf_event_output: ['perf_event_array'],
    perf_event_read_value: ['perf_event_array'],
    skb_output: ['perf_event_array'],
    xdp_output: ['perf_event_array'],
    ringbuf_output: ['ringbuf'],
    ringbuf_reserve: ['ringbuf'],
    ringbuf_query: ['ringbuf'],
    get_stackid: ['stack_trace'],
    redirect_map: ['devmap', 'devmap_hash', 'cpumap', 'xskmap'],
    map_pop_elem: ['queue', 'stack'],
    map_peek_elem: ['queue', 'stack', 'bloom_filter'],
    map_push_elem: ['queue', 'stack', 'bloom_filter'],
    map_lookup_percpu_elem: ['percpu_array', 'percpu_hash', 'lru_percpu_hash'],
  };
  const need = needs[id];
  if (need && !need.includes(t)) fail();
}

/** `release_reference`: drops a reference and invalidates every pointer holding it. */
function releaseReference(env: Env, refObjId: number): void {
  const st = env.cur;
  if (!st.refs.some((r) => r.id === refObjId)) reject('releaseReferenceExpected', msg.releaseReferenceExpected(1));
  st.refs = st.refs.filter((r) => r.id !== refObjId);
  for (let fi = 0; fi <= st.curframe; fi++) {
    const f = st.frames[fi];
    if (!f) continue;
    f.regs.forEach((r, i) => {
      if (r.refObjId === refObjId) f.regs[i] = env.allowPtrLeaks ? unknown(env) : NOT_INIT;
    });
    f.stack.forEach((s, i) => {
      if (s.types[SLOT - 1] === 'r' && s.spilled.refObjId === refObjId) {
        f.stack[i] = { ...s, spilled: env.allowPtrLeaks ? unknown(env) : NOT_INIT };
      }
    });
  }
}

/** Clobbers r1-r5 after a call (`mark_reg_not_init` + scratch). */
function clobberCallerSaved(env: Env, regs: RegState[]): void {
  for (let r = 0; r <= 5; r++) {
    regs[r] = NOT_INIT;
    env.markRegScratched(r);
  }
}

/** `check_helper_call`: returns the next instruction. */
export function checkHelperCall(env: Env, insn: Insn & { kind: 'call' }): number {
  const id = insn.helper;
  const h = helperById(id);
  const name = h?.fullName ?? 'unknown';
  if (h === undefined) reject('invalidFunc', msg.invalidFunc(name, id));
  if (!helperAllowed(env, id)) reject('helperNotAllowed', msg.helperNotAllowed(name, id));
  if (!env.gpl && h.gplOnly) reject('gplOnly', msg.gplOnly());
  if (h.mightSleep) reject('helperMightSleep', msg.helperMightSleep());
  const meta: CallMeta = {
    map: undefined,
    rawMode: false,
    accessSize: 0,
    regno: 0,
    memSize: 0,
    msizeMax: 0n,
    refObjId: 0,
    releaseRegno: 0,
    subprog: 0,
    constMapKey: -1n,
  };
  for (let i = 0; i < 5; i++) checkArg(env, i, h.args[i], h, meta);
  if (meta.map && env.options.maps[meta.map.index]?.readonlyProg && ['map_delete_elem', 'map_update_elem', 'map_push_elem', 'map_pop_elem'].includes(h.name)) {
    reject('mapWriteHelperForbidden', msg.mapWriteHelperForbidden());
  }
  // `record_func_key`: a constant tail call index within the prog array is precise (the JIT may call the target directly).
  if (h.name === 'tail_call' && meta.map) {
    const r3 = env.reg(3);
    if (r3.kind === 'scalar' && tnumIsConst(r3.varOff) && r3.varOff.value < BigInt(meta.map.maxEntries)) markChainPrecision(env, 3);
  }
  // A helper writing into uninitialised stack: every byte becomes misc.
  for (let i = 0; i < meta.accessSize; i++) {
    checkMemAccess(env, insn, meta.regno, i, 1, 'write', -1, false, false);
  }
  if (meta.releaseRegno) releaseReference(env, meta.refObjId);

  let next = env.insnIdx + 1;
  if (h.name === 'tail_call' && env.cur.refs.length > 0) reject('referenceLeakTailCall', msg.referenceLeakTailCall());
  if (h.name === 'for_each_map_elem') {
    // the callback runs for each element, any number of times: walked until its states repeat
    if (!meta.map || !FOR_EACH_MAPS.has(meta.map.type)) reject('callbackNotAllowedForMap', msg.callbackNotAllowedForMap());
    pushCallback(env, meta.subprog, 'map_elem');
  }
  if (h.name === 'loop') {
    updateLoopInlineState(env, meta.subprog);
    markChainPrecision(env, 1);
    const frame = env.frame;
    if (frame.callbackDepth < Number(env.reg(1).umax > 1000000n ? 1000000n : env.reg(1).umax)) {
      pushCallback(env, meta.subprog, 'loop');
    } else {
      frame.callbackDepth = 0;
      if (env.level >= 2) env.verbose(`frame${env.cur.curframe} bpf_loop iteration limit reached\n`);
    }
  }

  const regs = env.frame.regs;
  clobberCallerSaved(env, regs);
  let r0: RegState;
  const ret = h.ret;
  const maybeNull = (ret.flags as readonly string[]).includes('PTR_MAYBE_NULL');
  switch (ret.base) {
    case 'RET_INTEGER':
      r0 = unknown(env);
      break;
    case 'RET_VOID':
      r0 = NOT_INIT;
      break;
    case 'RET_PTR_TO_MAP_VALUE': {
      const map = meta.map;
      let nullable = maybeNull;
      if (h.name === 'map_lookup_elem' && map && (map.type === 'array' || map.type === 'percpu_array') && meta.constMapKey >= 0n && meta.constMapKey < BigInt(map.maxEntries)) {
        nullable = false;
      }
      r0 = pointer('map_value', { map, maybeNull: nullable });
      break;
    }
    case 'RET_PTR_TO_MEM':
      r0 = pointer('mem', { maybeNull, ringbuf: (ret.flags as readonly string[]).includes('MEM_RINGBUF'), memSize: meta.memSize });
      break;
    default: {
      const typed = ret.base === 'RET_PTR_TO_BTF_ID' ? btfHelperResult(env, ret) : undefined;
      if (typed === undefined) return reject('notModelled', msg.notModelled(`the result of ${name}#${id} (${ret.text})`));
      r0 = typed;
    }
  }
  if (r0.maybeNull) r0 = { ...r0, id: env.newId() };
  if (h.name === 'ringbuf_reserve') {
    const refId = env.newId();
    env.cur.refs.push({ id: refId, insnIdx: env.insnIdx });
    r0 = { ...r0, id: refId, refObjId: refId };
  }
  if (ret.base === 'RET_INTEGER') {
    if (['get_stack', 'get_task_stack', 'probe_read_str', 'probe_read_kernel_str', 'probe_read_user_str'].includes(h.name)) {
      r0 = regBoundsSync({ ...r0, smax: meta.msizeMax, s32max: meta.msizeMax > S32_MAX ? S32_MAX : meta.msizeMax, smin: -MAX_ERRNO, s32min: -MAX_ERRNO });
    } else if (h.name === 'get_smp_processor_id') {
      const top = BigInt(env.nrCpus - 1);
      r0 = regBoundsSync({ ...r0, umin: 0n, u32min: 0n, smin: 0n, s32min: 0n, umax: top, u32max: top, smax: top, s32max: top });
    }
  }
  regs[0] = r0;
  checkMapFuncCompat(env, meta.map, h);
  if (['tail_call', 'xdp_adjust_head', 'xdp_adjust_meta', 'xdp_adjust_tail', 'skb_pull_data', 'skb_change_head', 'skb_change_tail', 'skb_adjust_room', 'skb_vlan_push', 'skb_vlan_pop', 'skb_store_bytes', 'l3_csum_replace', 'l4_csum_replace', 'clone_redirect', 'lwt_push_encap', 'msg_pull_data', 'msg_push_data', 'msg_pop_data', 'skb_change_proto'].includes(h.name)) {
    clearAllPktPointers(env);
  }
  if (h.name === 'tail_call' && env.cur.curframe > 0) {
    // A tail call that jumps leaves the subprogram as an exit would, with
    // an unknown R0; one that fails falls through: another path.
    pushBranch(env, next, env.insnIdx);
    regs[0] = unknown(env);
    env.markRegScratched(0);
    return prepareFuncExit(env);
  }
  return next;
}

/** After a helper that may move packet data, every packet pointer is invalid (`clear_all_pkt_pointers`). */
function clearAllPktPointers(env: Env): void {
  const st = env.cur;
  for (let fi = 0; fi <= st.curframe; fi++) {
    const f = st.frames[fi];
    if (!f) continue;
    f.regs.forEach((r, i) => {
      if (r.kind === 'pkt' || r.kind === 'pkt_meta' || r.kind === 'pkt_end') f.regs[i] = unknown(env);
    });
    f.stack.forEach((s, i) => {
      const r = s.spilled;
      if (s.types[SLOT - 1] === 'r' && (r.kind === 'pkt' || r.kind === 'pkt_meta' || r.kind === 'pkt_end')) {
        f.stack[i] = { ...s, spilled: unknown(env) };
      }
    });
  }
}

/**
 * `update_loop_inline_state`: a `bpf_loop` call whose flags are always 0
 * and whose callback is always the same can be inlined; while it may be,
 * a zero flags register is precise.
 */
function updateLoopInlineState(env: Env, subprog: number): void {
  const aux = env.aux[env.insnIdx];
  if (!aux) return;
  const flagIsZero = (): boolean => {
    const zero = isNullScalar(env.reg(4));
    if (zero) markChainPrecision(env, 4);
    return zero;
  };
  if (aux.loopInline === undefined) {
    aux.loopInline = { fit: flagIsZero(), subprog };
    return;
  }
  if (!aux.loopInline.fit) return;
  aux.loopInline = { fit: flagIsZero() && aux.loopInline.subprog === subprog, subprog: aux.loopInline.subprog };
}

/** Map types whose elements `bpf_for_each_map_elem` walks (`map_for_each_callback`). */
const FOR_EACH_MAPS: ReadonlySet<string> = new Set(['array', 'percpu_array', 'hash', 'percpu_hash', 'lru_hash', 'lru_percpu_hash']);

/** The helper that calls a callback, for its arguments. */
type CallbackKind = 'loop' | 'map_elem';

/** Pushes a path that runs the callback body once (`push_callback_call`). */
function pushCallback(env: Env, subprog: number, kind: CallbackKind): void {
  const sp = env.subprogs[subprog];
  if (!sp) return reject('callbackNotFunc', msg.callbackNotFunc(2));
  const st = pushBranch(env, sp.start, env.insnIdx);
  setupFuncEntry(env, st, subprog, env.insnIdx, kind);
  // `init_func_state` marks the whole state scratched: the caller's registers and stack are printed after the call
  env.markAllScratched();
  st.callbackUnrollDepth++;
  const caller = st.frames[st.curframe - 1];
  if (caller) caller.callbackDepth++;
  env.frame.callbackDepth = 0;
}

/** `setup_func_entry`: a new frame for the callee, arguments copied in. */
function setupFuncEntry(env: Env, st: VerifierState, subprog: number, callsite: number, callback: CallbackKind | undefined): void {
  if (st.curframe + 1 >= MAX_CALL_FRAMES) reject('callStackTooDeep', msg.callStackTooDeep(st.curframe + 2));
  const caller = st.frames[st.curframe];
  if (!caller) return;
  const callee = newFrame(st.curframe + 1, callsite, subprog, callback !== undefined);
  if (callback === 'loop') {
    // `set_loop_callback_state`: callback(u64 index, void *ctx)
    callee.regs[1] = unknown(env);
    callee.regs[2] = caller.regs[3] as RegState;
  } else if (callback === 'map_elem') {
    // `set_map_elem_callback_state`: callback(map, key, value, ctx)
    const mapPtr = caller.regs[1] as RegState;
    callee.regs[1] = mapPtr;
    callee.regs[2] = pointer('map_key', { map: mapPtr.map });
    callee.regs[3] = pointer('map_value', { map: mapPtr.map });
    callee.regs[4] = caller.regs[3] as RegState;
  } else {
    for (let r = 1; r <= 5; r++) callee.regs[r] = caller.regs[r] as RegState;
  }
  st.frames[st.curframe + 1] = callee;
  st.frames.length = st.curframe + 2;
  st.curframe++;
}

/** `check_func_call`: a BPF-to-BPF call; returns the callee's first instruction. */
export function checkSubprogCall(env: Env, insn: Insn & { kind: 'call_local' }): number {
  const target = env.insnIdx + insn.off + 1;
  const subprog = env.subprogs.findIndex((s) => s.start === target);
  if (subprog < 0) return reject('callToInvalidDest', msg.callToInvalidDest());
  const st = env.cur;
  setupFuncEntry(env, st, subprog, env.insnIdx, undefined);
  const caller = st.frames[st.curframe - 1];
  if (caller) clobberCallerSaved(env, caller.regs);
  env.markRegScratched(10);
  if (env.level >= 1) {
    env.verbose(`caller:\n${formatFrameState(st, st.curframe - 1)}\n`);
    env.verbose(`callee:\n${formatFrameState(st, st.curframe)}\n`);
  }
  return target;
}

/** `prepare_func_exit`: back from a subprogram (or a callback iteration); returns where to continue. */
export function prepareFuncExit(env: Env): number {
  const st = env.cur;
  const callee = st.frames[st.curframe];
  const caller = st.frames[st.curframe - 1];
  if (!callee || !caller) return env.insnIdx + 1;
  const r0 = callee.regs[0] as RegState;
  if (r0.kind === 'fp') reject('returnStackPointer', msg.returnStackPointer());
  let next: number;
  if (callee.inCallback) {
    if (r0.kind !== 'scalar') reject('returnNotScalar', msg.returnNotScalar('R0'));
    markChainPrecision(env, 0);
    if (r0.smin < 0n || r0.smax > 1n) {
      reject('returnRange', msg.returnRange('At callback return', 'R0', scalarText(r0), 0n, 1n));
    }
    next = callee.callsite;
  } else {
    caller.regs[0] = r0;
    next = callee.callsite + 1;
  }
  if (env.level >= 1) {
    env.verbose(`returning from callee:\n${formatFrameState(st, st.curframe)}\n`);
    env.verbose(`to caller at ${next}:\n${formatFrameState(st, st.curframe - 1)}\n`);
  }
  st.frames.length = st.curframe;
  st.curframe--;
  return next;
}

/** `verbose_invalid_scalar`'s description of a value. */
function scalarText(r: RegState): string {
  let s = '';
  if (r.smin > S64_MIN) s += ` smin=${r.smin}`;
  if (r.smax < S64_MAX) s += ` smax=${r.smax}`;
  return s === '' ? 'unknown scalar value' : s.slice(1);
}

/** `check_return_code` at the exit of the main program. */
export function checkReturnCode(env: Env): void {
  if (isVoidLsmHook(env.progType)) return; // LSM programs of void hooks return nothing
  const r0 = checkRegRead(env, 0);
  if (isLeakingPointer(env, r0)) reject('leaksAddrAsReturn', msg.leaksAddrAsReturn());
  const range = env.progType.returns;
  if (!range) return;
  if (r0.kind !== 'scalar') {
    reject('returnNotKnown', msg.returnNotKnown(regTypeName(r0)));
  }
  markChainPrecision(env, 0);
  const r = env.reg(0);
  if (!returnWithin(env.progType, range, r)) {
    reject('returnRange', msg.returnRange('At program exit', 'R0', scalarText(r), range.min, range.max));
  }
}

/** `check_reference_leak` at program exit. */
export function checkReferenceLeak(env: Env): void {
  if (env.cur.curframe !== 0) return;
  const refs = env.cur.refs;
  if (refs.length === 0) return;
  const lines = refs.map((r) => msg.unreleasedReference(r.id, r.insnIdx));
  reject('unreleasedReference', [...lines, msg.referenceLeak('BPF_EXIT instruction in main prog')].join('\n'));
}

/** `check_ld_imm`: a 64-bit constant, a map, a map value or a function. */
export function checkLdImm(env: Env, insn: Insn & { kind: 'lddw' }): void {
  checkRegWrite(env, insn.dst);
  switch (insn.pseudo) {
    case 'imm64':
      env.setReg(insn.dst, { ...knownScalar(insn.value), precise: !env.bpfCapable });
      return;
    case 'func': {
      const target = env.insnIdx + Number(BigInt.asIntN(32, insn.value)) + 1;
      const subprog = env.subprogs.findIndex((s) => s.start === target);
      env.setReg(insn.dst, pointer('func', { subprog }));
      return;
    }
    case 'map_fd':
    case 'map_idx': {
      const map = env.maps[Number(BigInt.asIntN(32, insn.value))];
      env.setReg(insn.dst, pointer('map_ptr', { map }));
      return;
    }
    case 'map_value':
    case 'map_idx_value': {
      const map = env.maps[Number(BigInt.asIntN(32, insn.value))];
      env.setReg(insn.dst, pointer('map_value', { map, off: Number(insn.value >> 32n) }));
      return;
    }
    case 'btf_id':
      return reject('notModelled', msg.notModelled('ldimm64 of a kernel variable (BPF_PSEUDO_BTF_ID)'));
  }
}

/** `check_ld_abs`: legacy packet loads through the context in r6. */
export function checkLdAbs(env: Env, insn: Insn & { kind: 'ld_abs' | 'ld_ind' }): void {
  if (!env.progType.ldAbs) reject('ldAbsNotAllowed', msg.ldAbsNotAllowed());
  checkRegRead(env, 6);
  if (env.cur.refs.length > 0) reject('ldAbsHoldingRef', msg.ldAbsHoldingRef());
  if (env.reg(6).kind !== 'ctx') reject('ldAbsNeedsR6Ctx', msg.ldAbsNeedsR6Ctx());
  if (insn.kind === 'ld_ind') checkRegRead(env, insn.src);
  checkPtrOffReg(env.reg(6), 6, false);
  clobberCallerSaved(env, env.frame.regs);
  env.setReg(0, unknown(env));
}

