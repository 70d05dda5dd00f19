/**
 * State pruning (`is_state_visited`, `states_equal`): at prune points the
 * current state is compared with the states saved there before. When a
 * saved state that reached `exit` safely is at least as general as the
 * current one, the current path is safe and stops. States still being
 * explored at the same instruction mean a loop: equal ones are an infinite
 * loop. The same heuristics as the kernel decide when to save a state and
 * when to drop saved states that never match, so the counters agree.
 */
import { sameBtfPtr } from '../btf-ctx/btf-ptr';
import { formatFrameState } from '../log/state-printer';
import { msg } from '../messages';
import { NOT_INIT, type RegState } from '../state/reg-state';
import {
  copyState,
  EMPTY_SLOT,
  isSpilledScalar64,
  SLOT,
  type FrameState,
  type StackSlot,
  type VerifierState,
} from '../state/verifier-state';
import { tnumEquals, tnumIn } from '../domain/tnum';
import { reject, type Env, type ExploredState } from './env';
import { markAllScalarsImprecise, propagatePrecision, pushHistory } from './precision';
import { successors } from './cfg';

/** How strictly two states are compared (`enum exact_level`). */
type Exact = 'not_exact' | 'exact' | 'range_within';

/** Scalar id mapping between an old and a current state (`struct bpf_idmap`). */
class IdMap {
  private readonly pairs: [number, number][] = [];
  tmpIdGen: number;
  constructor(idGen: number) {
    this.tmpIdGen = idGen;
  }
  /** `check_ids` */
  check(oldId: number, curId: number): boolean {
    if ((oldId === 0) !== (curId === 0)) return false;
    if (oldId === 0) return true;
    for (const [o, c] of this.pairs) {
      if (o === oldId) return c === curId;
      if (c === curId) return false;
    }
    this.pairs.push([oldId, curId]);
    return true;
  }
  /** `check_scalar_ids` */
  checkScalar(oldId: number, curId: number): boolean {
    if (oldId === 0) return true;
    return this.check(oldId, curId === 0 ? ++this.tmpIdGen : curId);
  }
}

/** `range_within`: the current value ranges lie inside the old ones. */
function rangeWithin(o: RegState, c: RegState): boolean {
  return (
    o.umin <= c.umin &&
    o.umax >= c.umax &&
    o.smin <= c.smin &&
    o.smax >= c.smax &&
    o.u32min <= c.u32min &&
    o.u32max >= c.u32max &&
    o.s32min <= c.s32min &&
    o.s32max >= c.s32max
  );
}

/** The fields `memcmp` covers up to `var_off`: type, fixed offset and the pointed-to object. */
function sameBase(o: RegState, c: RegState): boolean {
  return (
    o.kind === c.kind &&
    o.maybeNull === c.maybeNull &&
    o.rdonly === c.rdonly &&
    o.ringbuf === c.ringbuf &&
    o.off === c.off &&
    o.map === c.map &&
    o.range === c.range &&
    o.memSize === c.memSize &&
    o.subprog === c.subprog &&
    sameBtfPtr(o, c)
  );
}

/** The same signed and unsigned, 64- and 32-bit bounds. */
function sameBounds(o: RegState, c: RegState): boolean {
  return (
    o.smin === c.smin &&
    o.smax === c.smax &&
    o.umin === c.umin &&
    o.umax === c.umax &&
    o.s32min === c.s32min &&
    o.s32max === c.s32max &&
    o.u32min === c.u32min &&
    o.u32max === c.u32max
  );
}

/** `regs_exact`: identical up to id renaming. */
function regsExact(o: RegState, c: RegState, ids: IdMap): boolean {
  return (
    sameBase(o, c) &&
    tnumEquals(o.varOff, c.varOff) &&
    sameBounds(o, c) &&
    o.addConst === c.addConst &&
    ids.check(o.id, c.id) &&
    ids.check(o.refObjId, c.refObjId)
  );
}

/** `regsafe`: is the current register at least as safe as the old one? */
function regSafe(env: Env, o: RegState, c: RegState, ids: IdMap, exact: Exact): boolean {
  if (exact === 'exact') return regsExact(o, c, ids);
  if (o.kind === 'not_init' && (exact === 'not_exact' || c.kind === 'not_init')) return true;
  if (o.kind !== c.kind || o.maybeNull !== c.maybeNull || o.rdonly !== c.rdonly || o.ringbuf !== c.ringbuf) return false;
  switch (o.kind) {
    case 'scalar':
      if (env.exploreAluLimits) {
        // every mask a path may need must be seen: no range_within, no imprecise scalars
        return sameBase(o, c) && tnumEquals(o.varOff, c.varOff) && sameBounds(o, c) && ids.checkScalar(o.id, c.id);
      }
      if (!o.precise && exact === 'not_exact') return true;
      if (o.addConst !== c.addConst) return false;
      if (o.addConst !== 0 && o.off !== c.off) return false;
      if (!ids.checkScalar(o.id, c.id)) return false;
      return rangeWithin(o, c) && tnumIn(o.varOff, c.varOff);
    case 'map_key':
    case 'map_value':
    case 'mem':
      return sameBase(o, c) && rangeWithin(o, c) && tnumIn(o.varOff, c.varOff) && ids.check(o.id, c.id) && ids.check(o.refObjId, c.refObjId);
    case 'pkt':
    case 'pkt_meta':
      if (o.range > c.range) return false;
      if (o.off !== c.off) return false;
      if (!ids.check(o.id, c.id)) return false;
      return rangeWithin(o, c) && tnumIn(o.varOff, c.varOff);
    case 'fp':
      return regsExact(o, c, ids) && o.frameno === c.frameno;
    default:
      return regsExact(o, c, ids);
  }
}

/** A full 8-byte scalar spill or an all-misc slot, as the scalar it reads as. */
function scalarForStack(env: Env, s: StackSlot): RegState | undefined {
  if (isSpilledScalar64(s)) return s.spilled;
  if ([...s.types].every((t) => t === 'm' || (t === '?' && env.allowUninitStack))) return UNBOUND;
  return undefined;
}
const UNBOUND: RegState = { ...NOT_INIT, kind: 'scalar' };

/** `stacksafe` */
function stackSafe(env: Env, o: FrameState, c: FrameState, ids: IdMap, exact: Exact): boolean {
  const oldBytes = o.stack.length * SLOT;
  const curBytes = c.stack.length * SLOT;
  for (let i = 0; i < oldBytes; i++) {
    const spi = Math.floor(i / SLOT);
    const j = i % SLOT;
    const os = o.stack[spi] ?? EMPTY_SLOT;
    const cs = c.stack[spi] ?? EMPTY_SLOT;
    const ot = os.types[j];
    if (exact !== 'not_exact' && (i >= curBytes || ot !== cs.types[j])) return false;
    if (ot === '?') continue;
    if (env.allowUninitStack && ot === 'm') continue;
    if (i >= curBytes) return false;
    const oReg = scalarForStack(env, os);
    const cReg = scalarForStack(env, cs);
    if (oReg && cReg) {
      if (!regSafe(env, oReg, cReg, ids, exact)) return false;
      i += SLOT - 1 - j;
      continue;
    }
    const ct = cs.types[j];
    if (ot === 'm' && ct === '0') continue;
    if (ot !== ct) return false;
    if (j !== SLOT - 1) continue;
    if (os.types[SLOT - 1] === 'r' && !regSafe(env, os.spilled, cs.spilled, ids, exact)) return false;
  }
  return true;
}

/** `states_equal`, comparing only registers live at the instruction. */
function statesEqual(env: Env, o: VerifierState, c: VerifierState, insnIdx: number, exact: Exact): boolean {
  // a state proven safe only under speculation proves nothing for a real path
  if (o.speculative && !c.speculative) return false;
  if (o.curframe !== c.curframe) return false;
  const ids = new IdMap(env.idGen);
  if (o.refs.length !== c.refs.length) return false;
  for (let i = 0; i < o.refs.length; i++) if (!ids.check(o.refs[i]?.id ?? 0, c.refs[i]?.id ?? 0)) return false;
  for (let fi = 0; fi <= o.curframe; fi++) {
    const of = o.frames[fi];
    const cf = c.frames[fi];
    if (!of || !cf) return false;
    if (of.callsite !== cf.callsite) return false;
    if (of.callbackDepth > cf.callbackDepth) return false;
    const ip = fi === o.curframe ? insnIdx : ((o.frames[fi + 1]?.callsite ?? insnIdx) as number);
    const live = env.aux[ip]?.liveRegsBefore ?? 0x7ff;
    for (let r = 0; r < 11; r++) {
      if (!(live & (1 << r)) && r !== 10) continue;
      if (!regSafe(env, of.regs[r] as RegState, cf.regs[r] as RegState, ids, exact)) return false;
    }
    if (!stackSafe(env, of, cf, ids, exact)) return false;
  }
  return true;
}

/** `states_maybe_looping`: registers of the current frame are bit-identical. */
function maybeLooping(o: VerifierState, c: VerifierState): boolean {
  if (o.curframe !== c.curframe) return false;
  const of = o.frames[o.curframe];
  const cf = c.frames[c.curframe];
  if (!of || !cf) return false;
  for (let r = 0; r < 11; r++) {
    const a = of.regs[r] as RegState;
    const b = cf.regs[r] as RegState;
    if (!(sameBase(a, b) && tnumEquals(a.varOff, b.varOff) && a.smin === b.smin && a.smax === b.smax && a.umin === b.umin && a.umax === b.umax && a.s32min === b.s32min && a.s32max === b.s32max && a.u32min === b.u32min && a.u32max === b.u32max && a.id === b.id && a.refObjId === b.refObjId && a.addConst === b.addConst)) return false;
  }
  return true;
}

/** Bucket of the saved-states table (`explored_state`): instruction xor call site. */
function bucketOf(env: Env, st: VerifierState, idx: number): number {
  const callsite = st.frames[st.curframe]?.callsite ?? -1;
  return ((idx ^ callsite) >>> 0) % env.len;
}

/** Stack slots live before each instruction of a frame, from the uses recorded so far. */
function stackLiveness(env: Env, frameno: number): bigint[] {
  const cached = liveCache.get(env);
  if (cached && !env.stackUseChanged && cached[frameno]) return cached[frameno] as bigint[];
  const table = cached && !env.stackUseChanged ? cached : [];
  const reads = env.stackReads[frameno] ?? [];
  const writes = env.stackWrites[frameno] ?? [];
  const n = env.len;
  const live: bigint[] = new Array<bigint>(n).fill(0n);
  const succ = env.insns.map((_, t) => successors(env, t));
  let changed = true;
  while (changed) {
    changed = false;
    for (let t = n - 1; t >= 0; t--) {
      if (env.insns[t] === undefined) continue;
      let out = 0n;
      for (const s of succ[t] as number[]) out |= live[s] ?? 0n;
      const v = (reads[t] ?? 0n) | (out & ~(writes[t] ?? 0n));
      if (v !== live[t]) {
        live[t] = v;
        changed = true;
      }
    }
  }
  table[frameno] = live;
  liveCache.set(env, table);
  env.stackUseChanged = false;
  return live;
}
const liveCache = new WeakMap<Env, bigint[][]>();

/** `clean_verifier_state`: dead registers and stack slots of a finished state become uninitialised. */
function cleanState(env: Env, st: VerifierState): void {
  for (let fi = 0; fi <= st.curframe; fi++) {
    const f = st.frames[fi];
    if (!f) continue;
    const ip = fi === st.curframe ? st.insnIdx : (st.frames[fi + 1]?.callsite ?? st.insnIdx);
    const live = env.aux[ip]?.liveRegsBefore ?? 0x7ff;
    for (let r = 0; r < 10; r++) if (!(live & (1 << r))) f.regs[r] = NOT_INIT;
    if (fi !== st.curframe) continue;
    const slots = stackLiveness(env, f.frameno)[ip] ?? 0n;
    for (let spi = 0; spi < f.stack.length; spi++) {
      if (!(slots & (1n << BigInt(spi)))) f.stack[spi] = EMPTY_SLOT;
    }
  }
}

/** `same_callsites` */
function sameCallsites(a: VerifierState, b: VerifierState): boolean {
  if (a.curframe !== b.curframe) return false;
  for (let i = a.curframe; i >= 0; i--) if (a.frames[i]?.callsite !== b.frames[i]?.callsite) return false;
  return true;
}

/** `update_peak_states` */
function updatePeak(env: Env): void {
  env.peakStates = Math.max(env.peakStates, env.exploredSize + env.freeListSize);
}

/** Frees an evicted state once its last path ended (`maybe_free_verifier_state`). */
export function freeFinished(env: Env, st: VerifierState): void {
  if (env.freeList.delete(st)) env.freeListSize--;
}

/**
 * `is_state_visited`: 1 when the current path can stop here (an equal
 * safe state exists), 0 to continue. Rejects infinite loops.
 */
export function isStateVisited(env: Env, insnIdx: number): 0 | 1 {
  const cur = env.cur;
  const aux = env.aux[insnIdx];
  const forceNew = aux?.forceCheckpoint === true || cur.history.length > 40;
  let addNew = forceNew;
  if (env.jmpsProcessed - env.prevJmpsProcessed >= 2 && env.insnProcessed - env.prevInsnProcessed >= 8) addNew = true;

  const bucket = bucketOf(env, cur, insnIdx);
  const list = env.explored.get(bucket) ?? [];

  // clean_live_states
  for (const sl of list) {
    if (sl.state.branches !== 0 || sl.state.insnIdx !== insnIdx || !sameCallsites(sl.state, cur) || sl.cleaned) continue;
    cleanState(env, sl.state);
    sl.cleaned = true;
  }

  let statesCnt = 0;
  for (let k = 0; k < list.length; k++) {
    const sl = list[k] as ExploredState;
    statesCnt++;
    if (sl.state.insnIdx !== insnIdx) continue;
    let miss = false;
    if (sl.state.branches > 0) {
      if (aux?.callsCallback) {
        if (statesEqual(env, sl.state, cur, insnIdx, 'range_within')) return hit(env, sl, insnIdx);
      } else if (maybeLooping(sl.state, cur) && statesEqual(env, sl.state, cur, insnIdx, 'exact') && sl.state.callbackUnrollDepth === cur.callbackUnrollDepth) {
        env.verboseLinfo(insnIdx, '; ');
        const text = [
          msg.infiniteLoop(insnIdx),
          `cur state:${formatFrameState(cur, cur.curframe)}`,
          `old state:${formatFrameState(sl.state, cur.curframe)}`,
        ].join('\n');
        reject('infiniteLoop', text, insnIdx, msg.infiniteLoop(insnIdx));
      }
      if (!forceNew && env.jmpsProcessed - env.prevJmpsProcessed < 20 && env.insnProcessed - env.prevInsnProcessed < 100) addNew = false;
      miss = true;
    } else if (statesEqual(env, sl.state, cur, insnIdx, 'not_exact')) {
      return hit(env, sl, insnIdx);
    } else {
      miss = true;
    }
    if (miss) {
      if (addNew) sl.missCnt++;
      const n = aux?.forceCheckpoint && sl.state.branches > 0 ? 64 : 3;
      if (sl.missCnt > sl.hitCnt * n + n) {
        list.splice(k, 1);
        k--;
        env.exploredSize--;
        if (sl.state.branches === 0) {
          // freed at once
        } else {
          sl.inFreeList = true;
          env.freeList.add(sl.state);
          env.freeListSize++;
        }
      }
    }
  }
  if (env.maxStatesPerInsn < statesCnt) env.maxStatesPerInsn = statesCnt;
  if (!env.bpfCapable && statesCnt > 64) return 0;
  if (!addNew) return 0;

  env.totalStates++;
  env.exploredSize++;
  updatePeak(env);
  env.prevJmpsProcessed = env.jmpsProcessed;
  env.prevInsnProcessed = env.insnProcessed;
  if (env.bpfCapable) markAllScalarsImprecise(cur);
  const saved = copyState(cur);
  saved.insnIdx = insnIdx;
  saved.branches = 1;
  list.unshift({ state: saved, hitCnt: 0, missCnt: 0, inFreeList: false, cleaned: false });
  env.explored.set(bucket, list);
  const scc = env.aux[insnIdx]?.scc ?? 0;
  if (env.level >= 2 && scc > 0 && !(activeScc.get(env)?.has(scc) ?? false)) {
    env.verbose(`SCC enter (${scc})\n`);
    sccEntries.set(saved, scc);
    const active = activeScc.get(env) ?? new Set<number>();
    active.add(scc);
    activeScc.set(env, active);
  }
  cur.parent = saved;
  cur.firstInsnIdx = insnIdx;
  cur.history = [];
  env.curHistEnt = undefined;
  return 0;
}

/** States that entered a loop (strongly connected component), for the log. */
const sccEntries = new WeakMap<VerifierState, number>();
/** Loops being explored: entered by a state that still has paths to explore. */
const activeScc = new WeakMap<Env, Set<number>>();

/** Prints `SCC exit` when the state that entered a loop has no paths left. */
export function noteStateFinished(env: Env, st: VerifierState): void {
  const id = sccEntries.get(st);
  if (id === undefined) return;
  activeScc.get(env)?.delete(id);
  if (env.level >= 2) env.verbose(`SCC exit (${id})\n`);
}

function hit(env: Env, sl: ExploredState, insnIdx: number): 1 {
  sl.hitCnt++;
  if (env.aux[insnIdx]?.jmpPoint) pushHistory(env);
  propagatePrecision(env, sl.state);
  return 1;
}
