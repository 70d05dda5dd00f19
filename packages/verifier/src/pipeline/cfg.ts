/**
 * Step 2, control flow: jumps stay inside their subprogram and every
 * subprogram ends in `exit` or `goto` (`check_subprogs`); a depth-first walk
 * from instruction 0 finds unreachable instructions, jumps into the middle
 * of an `lddw` and, for unprivileged programs, back-edges (`check_cfg`). The
 * walk also marks prune points and jump points for path exploration. Then
 * the static analyses pruning relies on: live registers
 * (`compute_live_registers`) and loops (strongly connected components).
 */
import { helperById } from '@bpflab/uapi';
import { isReg, type Insn } from '@bpflab/isa';
import { msg } from '../messages';
import { formatKernelInsn } from '../log/insn-printer';
import { checkAbnormalReturn } from './stack-depth';
import { reject, type Env } from './env';

/** Slot after an instruction. */
const sizeOf = (insn: Insn): number => (insn.kind === 'lddw' ? 2 : 1);

/** Target slot of a jump at `t`. */
export function jumpTarget(insn: Insn, t: number): number {
  switch (insn.kind) {
    case 'jump':
    case 'ja':
      return t + insn.off + 1;
    case 'call_local':
      return t + insn.off + 1;
    default:
      return -1;
  }
}

/** True for `BPF_JMP`/`BPF_JMP32` class instructions. */
export const isJmpClass = (insn: Insn): boolean =>
  insn.kind === 'jump' ||
  insn.kind === 'ja' ||
  insn.kind === 'call' ||
  insn.kind === 'call_local' ||
  insn.kind === 'call_kfunc' ||
  insn.kind === 'callx' ||
  insn.kind === 'exit';

/** True for a helper that calls back into the program (`is_sync_callback_calling_function`). */
export const isCallbackCallingHelper = (id: number): boolean => id === 164 || id === 181 || id === 180 || id === 209;

/** Checks jumps stay in their subprogram and each one ends properly (`check_subprogs`). */
export function checkSubprogs(env: Env): void {
  const starts = env.subprogs.map((s) => s.start);
  let cur = 0;
  let start = starts[0] ?? 0;
  let end = starts[1] ?? env.len;
  for (let i = 0; i < env.len; i++) {
    const insn = env.insns[i];
    if (insn !== undefined && (insn.kind === 'jump' || insn.kind === 'ja')) {
      const off = i + insn.off + 1;
      if (off < start || off >= end) reject('jumpOutOfRange', msg.jumpOutOfRange(i, off));
    }
    if (i === end - 1) {
      // The last slot of an lddw is its second half: the code there is 0, not a jump.
      if (insn === undefined || (insn.kind !== 'exit' && insn.kind !== 'ja')) {
        reject('lastInsnNotExit', msg.lastInsnNotExit());
      }
      start = end;
      cur++;
      end = starts[cur + 1] ?? env.len;
    }
  }
  checkAbnormalReturn(env);
}

const DISCOVERED = 0x10;
const EXPLORED = 0x20;
const FALLTHROUGH = 1;
const BRANCH = 2;

/** Depth-first walk of the control flow graph (`check_cfg`). */
export function checkCfg(env: Env): void {
  const state = new Array<number>(env.len).fill(0);
  const stack: number[] = [0];
  state[0] = DISCOVERED;
  const KEEP = 1;
  const DONE = 0;

  const markPrune = (w: number): void => {
    const a = env.aux[w];
    if (a) a.prunePoint = true;
  };
  const markJmp = (w: number): void => {
    const a = env.aux[w];
    if (a) a.jmpPoint = true;
  };

  const pushInsn = (t: number, w: number, e: number): number => {
    const st = state[t] as number;
    if (e === FALLTHROUGH && st >= (DISCOVERED | FALLTHROUGH)) return DONE;
    if (e === BRANCH && st >= (DISCOVERED | BRANCH)) return DONE;
    if (w < 0 || w >= env.len) {
      env.verboseLinfo(t, `${t}: `);
      reject('jumpOutOfRange', msg.jumpOutOfRange(t, w), t);
    }
    if (e === BRANCH) {
      markPrune(w);
      markJmp(w);
    }
    const sw = state[w] as number;
    if (sw === 0) {
      state[t] = DISCOVERED | e;
      state[w] = DISCOVERED;
      stack.push(w);
      return KEEP;
    }
    if ((sw & 0xf0) === DISCOVERED) {
      if (env.bpfCapable) return DONE;
      env.verboseLinfo(t, `${t}: `);
      env.verboseLinfo(w, `${w}: `);
      reject('backEdge', msg.backEdge(t, w), t);
    }
    state[t] = DISCOVERED | e;
    return DONE;
  };

  const visitCall = (t: number, insn: Insn, callee: number | undefined): number => {
    const next = t + sizeOf(insn);
    const ret = pushInsn(t, next, FALLTHROUGH);
    if (ret) return ret;
    markPrune(next);
    markJmp(next);
    if (callee !== undefined) {
      markPrune(t);
      return pushInsn(t, callee, BRANCH);
    }
    return ret;
  };

  const visit = (t: number): number => {
    const insn = env.insns[t];
    // The second half of an lddw has opcode 0: an ordinary instruction to the walk.
    if (insn === undefined) return pushInsn(t, t + 1, FALLTHROUGH);
    if (insn.kind === 'lddw' && insn.pseudo === 'func') {
      return visitCall(t, insn, t + Number(BigInt.asIntN(32, insn.value)) + 1);
    }
    if (!isJmpClass(insn)) return pushInsn(t, t + sizeOf(insn), FALLTHROUGH);
    switch (insn.kind) {
      case 'exit':
        return DONE;
      case 'call':
        if (isCallbackCallingHelper(insn.helper)) {
          const a = env.aux[t];
          if (a) {
            a.callsCallback = true;
            a.forceCheckpoint = true;
          }
          markPrune(t);
          markJmp(t);
        }
        return visitCall(t, insn, undefined);
      case 'call_local':
        return visitCall(t, insn, t + insn.off + 1);
      case 'call_kfunc':
      case 'callx':
        return visitCall(t, insn, undefined);
      case 'ja': {
        const w = t + insn.off + 1;
        const ret = pushInsn(t, w, FALLTHROUGH);
        if (ret) return ret;
        markPrune(w);
        markJmp(w);
        return ret;
      }
      case 'jump': {
        markPrune(t);
        const ret = pushInsn(t, t + 1, FALLTHROUGH);
        if (ret) return ret;
        return pushInsn(t, t + insn.off + 1, BRANCH);
      }
      default:
        return DONE;
    }
  };

  while (stack.length > 0) {
    const t = stack[stack.length - 1] as number;
    if (visit(t) === DONE) {
      state[t] = EXPLORED;
      stack.pop();
    }
  }

  for (let i = 0; i < env.len; i++) {
    const insn = env.insns[i];
    if (state[i] !== EXPLORED) reject('unreachableInsn', msg.unreachableInsn(i), i);
    if (insn?.kind === 'lddw') {
      if (state[i + 1] !== 0) reject('jumpIntoLddw', msg.jumpIntoLddw(i), i);
      i++;
    }
  }
}

/** Static successors of an instruction inside its subprogram (calls fall through). */
export function successors(env: Env, t: number): number[] {
  const insn = env.insns[t];
  if (insn === undefined) return [];
  switch (insn.kind) {
    case 'exit':
      return [];
    case 'ja':
      return [t + insn.off + 1];
    case 'jump':
      return insn.off === 0 ? [t + 1] : [t + 1, t + insn.off + 1];
    default:
      return [t + sizeOf(insn)];
  }
}

const bit = (r: number): number => 1 << r;
const CALLER_SAVED = 0x3f;

/** Registers an instruction reads (`use`) and writes (`def`), as `compute_insn_live_regs` counts them. */
function useDef(env: Env, insn: Insn): { use: number; def: number } {
  switch (insn.kind) {
    case 'lddw':
      return { use: 0, def: bit(insn.dst) };
    case 'ld_abs':
    case 'ld_ind':
      return { use: 0xffff, def: 0 };
    case 'load':
      return { use: bit(insn.base), def: bit(insn.dst) };
    case 'store':
      return { use: bit(insn.base) | (isReg(insn.src) ? bit(insn.src.reg) : 0), def: 0 };
    case 'atomic':
      if (insn.op === 'cmpxchg') return { use: bit(0) | bit(insn.base) | bit(insn.src), def: bit(0) };
      return { use: bit(insn.base) | bit(insn.src), def: insn.fetch || insn.op === 'xchg' ? bit(insn.src) : 0 };
    case 'endian':
    case 'neg':
      return { use: bit(insn.dst), def: bit(insn.dst) };
    case 'movsx':
      return { use: bit(insn.src), def: bit(insn.dst) };
    case 'alu':
      if (insn.op === 'mov') return { use: isReg(insn.src) ? bit(insn.src.reg) : 0, def: bit(insn.dst) };
      return { use: bit(insn.dst) | (isReg(insn.src) ? bit(insn.src.reg) : 0), def: bit(insn.dst) };
    case 'ja':
      return { use: 0, def: 0 };
    case 'exit':
      return { use: bit(0), def: 0 };
    case 'call': {
      // Without a prototype for this program type, all of r1-r5 count as read.
      const h = env.progType.helpers.includes(insn.helper) ? helperById(insn.helper) : undefined;
      const n = h === undefined ? 5 : h.args.filter((a) => a.base !== 'ARG_DONTCARE').length;
      return { use: ((1 << (n + 1)) - 1) & ~1, def: CALLER_SAVED };
    }
    case 'call_local':
    case 'call_kfunc':
    case 'callx':
      return { use: CALLER_SAVED & ~1, def: CALLER_SAVED };
    case 'jump':
      return { use: bit(insn.dst) | (isReg(insn.src) ? bit(insn.src.reg) : 0), def: 0 };
  }
}

/** Live registers before each instruction, by backward data flow to a fixed point. */
export function computeLiveRegs(env: Env): void {
  const n = env.len;
  const ud = env.insns.map((insn) => (insn === undefined ? { use: 0, def: 0 } : useDef(env, insn)));
  const liveIn = new Array<number>(n).fill(0);
  const succ = env.insns.map((_, t) => successors(env, t));
  let changed = true;
  while (changed) {
    changed = false;
    for (let t = n - 1; t >= 0; t--) {
      if (env.insns[t] === undefined) continue;
      let out = 0;
      for (const s of succ[t] as number[]) out |= liveIn[s] ?? 0;
      const u = ud[t] as { use: number; def: number };
      const inn = u.use | (out & ~u.def);
      if (inn !== liveIn[t]) {
        liveIn[t] = inn;
        changed = true;
      }
    }
  }
  liveIn.forEach((v, t) => {
    const a = env.aux[t];
    if (a) a.liveRegsBefore = v;
  });
}

/** Numbers the loops: strongly connected components with a cycle (Tarjan's algorithm). */
export function computeScc(env: Env): void {
  const n = env.len;
  const index = new Array<number>(n).fill(-1);
  const low = new Array<number>(n).fill(0);
  const onStack = new Array<boolean>(n).fill(false);
  const stack: number[] = [];
  let counter = 0;
  let sccId = 0;
  for (let root = 0; root < n; root++) {
    if (env.insns[root] === undefined || index[root] !== -1) continue;
    // Iterative Tarjan: frames of (node, next successor position).
    const work: { v: number; i: number; succ: number[] }[] = [];
    const open = (v: number): void => {
      index[v] = low[v] = counter++;
      stack.push(v);
      onStack[v] = true;
      work.push({ v, i: 0, succ: successors(env, v) });
    };
    open(root);
    while (work.length > 0) {
      const top = work[work.length - 1] as { v: number; i: number; succ: number[] };
      if (top.i < top.succ.length) {
        const w = top.succ[top.i++] as number;
        if (index[w] === -1) open(w);
        else if (onStack[w]) low[top.v] = Math.min(low[top.v] as number, index[w] as number);
        continue;
      }
      work.pop();
      const parent = work[work.length - 1];
      if (parent) low[parent.v] = Math.min(low[parent.v] as number, low[top.v] as number);
      if (low[top.v] === index[top.v]) {
        const members: number[] = [];
        let w: number;
        do {
          w = stack.pop() as number;
          onStack[w] = false;
          members.push(w);
        } while (w !== top.v);
        const selfLoop = members.length === 1 && successors(env, top.v).includes(top.v);
        if (members.length > 1 || selfLoop) {
          sccId++;
          for (const m of members) {
            const a = env.aux[m];
            if (a) a.scc = sccId;
          }
        }
      }
    }
  }
}

/** The `Live regs before insn:` table the kernel prints at log level 2. */
export function printLiveRegs(env: Env, mapAddress: (insn: Insn & { kind: 'lddw' }) => bigint): void {
  if (env.level < 2) return;
  env.verbose('Live regs before insn:\n');
  for (let i = 0; i < env.len; i++) {
    const insn = env.insns[i];
    const a = env.aux[i];
    if (insn === undefined || a === undefined) continue;
    let line = a.scc ? `${String(a.scc).padStart(3)} ` : '    ';
    line += `${String(i).padStart(3)}: `;
    for (let r = 0; r < 10; r++) line += a.liveRegsBefore & (1 << r) ? String(r) : '.';
    env.verbose(`${line} ${formatKernelInsn(insn, { mapAddress })}\n`);
  }
}
