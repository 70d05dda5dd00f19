/**
 * Precision tracking (`mark_chain_precision`): when the exact value of a
 * scalar decides safety (a branch taken for sure, a pointer offset, a size,
 * the return value), the verifier walks the path back to where that value
 * came from and marks every scalar it was computed from as precise in the
 * saved states on the way. Pruning compares precise scalars by range and
 * ignores imprecise ones, so this decides how much the verifier can prune.
 */
import type { Insn } from '@bpflab/isa';
import { isReg } from '@bpflab/isa';
import { formatFrameState } from '../log/state-printer';
import { isSpilled, isSpilledScalar, type HistEntry, type LinkedReg, type VerifierState } from '../state/verifier-state';
import { Reject, type Env } from './env';

const ARGS_MASK = 0x3e;

/** What is still being traced back (`struct backtrack_state`). */
class Backtrack {
  frame = 0;
  readonly regs: number[] = new Array(8).fill(0);
  readonly stack: bigint[] = new Array(8).fill(0n);

  reset(frame: number): void {
    this.frame = frame;
    this.regs.fill(0);
    this.stack.fill(0n);
  }
  get empty(): boolean {
    for (let i = 0; i < 8; i++) if (this.regs[i] !== 0 || this.stack[i] !== 0n) return false;
    return true;
  }
  isReg(r: number, fr = this.frame): boolean {
    return ((this.regs[fr] ?? 0) & (1 << r)) !== 0;
  }
  setReg(r: number, fr = this.frame): void {
    this.regs[fr] = (this.regs[fr] ?? 0) | (1 << r);
  }
  clearReg(r: number, fr = this.frame): void {
    this.regs[fr] = (this.regs[fr] ?? 0) & ~(1 << r);
  }
  isSlot(spi: number, fr = this.frame): boolean {
    return ((this.stack[fr] ?? 0n) & (1n << BigInt(spi))) !== 0n;
  }
  setSlot(spi: number, fr = this.frame): void {
    this.stack[fr] = (this.stack[fr] ?? 0n) | (1n << BigInt(spi));
  }
  clearSlot(spi: number, fr = this.frame): void {
    this.stack[fr] = (this.stack[fr] ?? 0n) & ~(1n << BigInt(spi));
  }
}

/** A rejection the backtracker cannot handle: fall back to "everything precise" (`-ENOTSUPP`). */
class NotSupported extends Error {}

function fmtRegMask(m: number): string {
  if (m === 0) return '';
  const out: string[] = [];
  for (let i = 0; i < 11; i++) if (m & (1 << i)) out.push(`r${i}`);
  return out.join(',');
}
function fmtStackMask(m: bigint): string {
  if (m === 0n) return '';
  const out: string[] = [];
  for (let i = 0; m >> BigInt(i) !== 0n; i++) if (m & (1n << BigInt(i))) out.push(`-${(i + 1) * 8}`);
  return out.join(',');
}

/**
 * Records the current instruction in the path history (`push_jmp_history`),
 * merging with the entry already pushed for it; `stack` notes a spill or
 * fill of a register, `linked` the registers a jump refined together.
 */
export function pushHistory(env: Env, stack?: { frame: number; spi: number }, linked?: readonly LinkedReg[]): void {
  const ent = env.curHistEnt;
  if (ent) {
    if (stack) ent.stack = stack;
    if (linked) ent.linked = linked;
    return;
  }
  const e: HistEntry = { idx: env.insnIdx, prevIdx: env.prevInsnIdx };
  if (stack) e.stack = stack;
  if (linked) e.linked = linked;
  env.cur.history.push(e);
  env.curHistEnt = e;
}

function syncLinked(bt: Backtrack, hist: HistEntry | undefined): void {
  const linked = hist?.linked;
  if (!linked) return;
  const any = linked.some((l) => (l.isReg ? bt.isReg(l.n, l.frame) : bt.isSlot(l.n, l.frame)));
  if (!any) return;
  for (const l of linked) {
    if (l.isReg) bt.setReg(l.n, l.frame);
    else bt.setSlot(l.n, l.frame);
  }
}

/** `backtrack_insn`: what must be precise before instruction `idx`, given what must be after. */
function backtrackInsn(env: Env, bt: Backtrack, idx: number, subseqIdx: number, hist: HistEntry | undefined): void {
  const insn = env.insns[idx];
  // The second half of an lddw (opcode 0) is skipped silently, as the kernel does.
  if (insn === undefined) return;
  if (env.level >= 2) {
    env.verbose(
      `mark_precise: frame${bt.frame}: regs=${fmtRegMask(bt.regs[bt.frame] ?? 0)} stack=${fmtStackMask(bt.stack[bt.frame] ?? 0n)} before ${idx}: ${env.insnText(idx, insn)}\n`,
    );
  }
  syncLinked(bt, hist);
  switch (insn.kind) {
    case 'alu':
    case 'neg':
    case 'endian':
    case 'movsx': {
      const dreg = insn.dst;
      if (!bt.isReg(dreg)) break;
      if (insn.kind === 'neg' || insn.kind === 'endian') break;
      if (insn.kind === 'movsx') {
        bt.clearReg(dreg);
        if (insn.src !== 10) bt.setReg(insn.src);
        break;
      }
      if (insn.op === 'mov') {
        bt.clearReg(dreg);
        if (isReg(insn.src) && insn.src.reg !== 10) bt.setReg(insn.src.reg);
      } else if (isReg(insn.src) && insn.src.reg !== 10) {
        bt.setReg(insn.src.reg);
      }
      break;
    }
    case 'load': {
      if (!bt.isReg(insn.dst)) break;
      bt.clearReg(insn.dst);
      if (!hist?.stack) break;
      bt.setSlot(hist.stack.spi, hist.stack.frame);
      break;
    }
    case 'store':
    case 'atomic': {
      if (bt.isReg(insn.base)) throw new NotSupported();
      if (insn.kind === 'atomic') {
        const loadReg = insn.op === 'cmpxchg' ? 0 : insn.fetch || insn.op === 'xchg' ? insn.src : -1;
        if (loadReg >= 0 && bt.isReg(loadReg)) throw new NotSupported();
      }
      if (!hist?.stack) break;
      const { frame, spi } = hist.stack;
      if (!bt.isSlot(spi, frame)) break;
      bt.clearSlot(spi, frame);
      if (insn.kind === 'store' && isReg(insn.src)) bt.setReg(insn.src.reg);
      break;
    }
    case 'call_local': {
      // Leaving the callee backwards: r1-r5 asked for are the caller's arguments.
      if ((bt.regs[bt.frame] ?? 0) & ~ARGS_MASK) throw new NotSupported();
      if ((bt.stack[bt.frame] ?? 0n) !== 0n) throw new NotSupported();
      for (let r = 1; r <= 5; r++) {
        if (bt.isReg(r)) {
          bt.clearReg(r);
          bt.setReg(r, bt.frame - 1);
        }
      }
      if (bt.frame === 0) throw new NotSupported();
      bt.frame--;
      break;
    }
    case 'call':
    case 'callx':
    case 'call_kfunc': {
      if (insn.kind === 'call' && env.aux[idx]?.callsCallback && idx !== subseqIdx - 1) {
        // Backtracking out of a callback body into the helper that called it.
        if ((bt.regs[bt.frame] ?? 0) & ~ARGS_MASK) throw new NotSupported();
        if ((bt.stack[bt.frame] ?? 0n) !== 0n) throw new NotSupported();
        for (let r = 1; r <= 5; r++) bt.clearReg(r);
        if (bt.frame === 0) throw new NotSupported();
        bt.frame--;
        break;
      }
      bt.clearReg(0);
      if ((bt.regs[bt.frame] ?? 0) & ARGS_MASK) throw new NotSupported();
      break;
    }
    case 'exit': {
      const calledFromCallback = subseqIdx >= 0 && env.aux[subseqIdx]?.callsCallback === true;
      if (calledFromCallback) for (let r = 1; r <= 5; r++) bt.clearReg(r);
      if ((bt.regs[bt.frame] ?? 0) & ARGS_MASK) throw new NotSupported();
      const prev = subseqIdx - 1 >= 0 ? env.insns[subseqIdx - 1] : undefined;
      const r0 = prev?.kind === 'call_local' && bt.isReg(0);
      bt.clearReg(0);
      if (bt.frame >= 7) throw new NotSupported();
      bt.frame++;
      if (r0) bt.setReg(0);
      break;
    }
    case 'jump':
      if (isReg(insn.src)) {
        if (!bt.isReg(insn.dst) && !bt.isReg(insn.src.reg)) break;
        bt.setReg(insn.dst);
        bt.setReg(insn.src.reg);
      }
      break;
    case 'ja':
      break;
    case 'lddw':
      if (!bt.isReg(insn.dst)) break;
      bt.clearReg(insn.dst);
      break;
    case 'ld_abs':
    case 'ld_ind':
      if (!bt.isReg(0)) break;
      bt.clearReg(0);
      throw new NotSupported();
  }
  syncLinked(bt, hist);
}

/** `get_prev_insn_idx` */
function prevInsnIdx(st: VerifierState, i: number, cursor: { n: number }): number {
  const h = st.history;
  if (i === st.firstInsnIdx) {
    if (cursor.n === 0) return -1;
    if (cursor.n === 1 && h[0]?.idx === i) return -1;
  }
  const last = h[cursor.n - 1];
  if (cursor.n > 0 && last?.idx === i) {
    cursor.n--;
    return last.prevIdx;
  }
  return i - 1;
}

/** `mark_all_scalars_precise`: the fallback when backtracking cannot follow the path. */
function markAllScalarsPrecise(env: Env, start: VerifierState): void {
  if (env.level >= 2) env.verbose(`mark_precise: frame${start.curframe}: falling back to forcing all scalars precise\n`);
  for (let st = start.parent; st; st = st.parent) {
    st.frames.forEach((f, fi) => {
      if (fi > st.curframe) return;
      f.regs.forEach((r, j) => {
        if (j === 10 || r.kind !== 'scalar' || r.precise) return;
        f.regs[j] = { ...r, precise: true };
        if (env.level >= 2) env.verbose(`force_precise: frame${fi}: forcing r${j} to be precise\n`);
      });
      f.stack.forEach((s, j) => {
        if (!isSpilled(s) || s.spilled.kind !== 'scalar' || s.spilled.precise) return;
        f.stack[j] = { ...s, spilled: { ...s.spilled, precise: true } };
        if (env.level >= 2) env.verbose(`force_precise: frame${fi}: forcing fp${-(j + 1) * 8} to be precise\n`);
      });
    });
  }
}

/** `mark_all_scalars_imprecise`: a new checkpoint forgets inherited precision. */
export function markAllScalarsImprecise(st: VerifierState): void {
  for (let fi = 0; fi <= st.curframe; fi++) {
    const f = st.frames[fi];
    if (!f) continue;
    f.regs.forEach((r, j) => {
      if (r.kind === 'scalar' && r.precise) f.regs[j] = { ...r, precise: false };
    });
    f.stack.forEach((s, j) => {
      if (isSpilled(s) && s.spilled.kind === 'scalar' && s.spilled.precise) f.stack[j] = { ...s, spilled: { ...s.spilled, precise: false } };
    });
  }
}

/** `__mark_chain_precision` over the backtrack state already filled in. */
function run(env: Env, bt: Backtrack, start: VerifierState, lastIdx0: number): void {
  if (!env.bpfCapable || bt.empty) return;
  let st: VerifierState | undefined = start;
  let firstIdx = st.firstInsnIdx;
  let lastIdx = lastIdx0;
  let subseqIdx = -1;
  let skipFirst = true;
  try {
    for (;;) {
      if (env.level >= 2) {
        env.verbose(`mark_precise: frame${bt.frame}: last_idx ${lastIdx} first_idx ${firstIdx} subseq_idx ${subseqIdx} \n`);
      }
      const cursor = { n: st.history.length };
      for (let i = lastIdx; ; ) {
        if (skipFirst) {
          skipFirst = false;
        } else {
          const h = cursor.n > 0 && st.history[cursor.n - 1]?.idx === i ? st.history[cursor.n - 1] : undefined;
          backtrackInsn(env, bt, i, subseqIdx, h);
        }
        if (bt.empty) return;
        subseqIdx = i;
        i = prevInsnIdx(st, i, cursor);
        if (i === -1) break;
        if (i < 0 || i >= env.len) throw new NotSupported();
      }
      st = st.parent;
      if (!st) break;
      for (let fr = bt.frame; fr >= 0; fr--) {
        const func = st.frames[fr];
        if (!func) continue;
        for (let i = 0; i < 11; i++) {
          if (!bt.isReg(i, fr)) continue;
          const reg = func.regs[i];
          if (reg === undefined || reg.kind !== 'scalar' || reg.precise) {
            bt.clearReg(i, fr);
            continue;
          }
          func.regs[i] = { ...reg, precise: true };
        }
        for (let i = 0; i < 64 && (bt.stack[fr] ?? 0n) >> BigInt(i) !== 0n; i++) {
          if (!bt.isSlot(i, fr)) continue;
          const slot = func.stack[i];
          if (slot === undefined || !isSpilledScalar(slot) || slot.spilled.precise) {
            bt.clearSlot(i, fr);
            continue;
          }
          func.stack[i] = { ...slot, spilled: { ...slot.spilled, precise: true } };
        }
        if (env.level >= 2) {
          env.verbose(
            `mark_precise: frame${fr}: parent state regs=${fmtRegMask(bt.regs[fr] ?? 0)} stack=${fmtStackMask(bt.stack[fr] ?? 0n)}: ${formatFrameState(st, fr)}\n`,
          );
        }
      }
      if (bt.empty) return;
      subseqIdx = firstIdx;
      lastIdx = st.lastInsnIdx;
      firstIdx = st.firstInsnIdx;
    }
    if (!bt.empty) {
      markAllScalarsPrecise(env, start);
      bt.reset(0);
    }
  } catch (e) {
    if (e instanceof NotSupported) {
      markAllScalarsPrecise(env, start);
      bt.reset(0);
      return;
    }
    if (e instanceof Reject) throw e;
    throw e;
  }
}

const BT = new Backtrack();

/** `mark_chain_precision(env, regno)`: register `regno` of the current frame must be precise. */
export function markChainPrecision(env: Env, regno: number): void {
  if (!env.bpfCapable) return;
  const reg = env.reg(regno);
  if (reg.kind !== 'scalar') return;
  BT.reset(env.cur.curframe);
  BT.setReg(regno);
  run(env, BT, env.cur, env.insnIdx);
}

/** Marks a stack slot of a frame precise (constant map keys read from the stack). */
export function markStackPrecision(env: Env, frame: number, spi: number): void {
  if (!env.bpfCapable) return;
  BT.reset(env.cur.curframe);
  BT.setSlot(spi, frame);
  run(env, BT, env.cur, env.insnIdx);
}

/**
 * `propagate_precision`: after pruning against `old`, the scalars precise in
 * `old` must be precise along the current path too.
 */
export function propagatePrecision(env: Env, old: VerifierState): void {
  if (!env.bpfCapable) return;
  BT.reset(env.cur.curframe);
  for (let fr = old.curframe; fr >= 0; fr--) {
    const f = old.frames[fr];
    if (!f) continue;
    let first = true;
    for (let i = 0; i < f.regs.length; i++) {
      const r = f.regs[i];
      if (i === 10 || r === undefined || r.kind !== 'scalar' || !r.precise) continue;
      if (env.level >= 2) env.verbose(first ? `frame ${fr}: propagating r${i}` : `,r${i}`);
      BT.setReg(i, fr);
      first = false;
    }
    for (let i = 0; i < f.stack.length; i++) {
      const s = f.stack[i];
      if (s === undefined || !isSpilled(s) || s.spilled.kind !== 'scalar' || !s.spilled.precise) continue;
      if (env.level >= 2) env.verbose(first ? `frame ${fr}: propagating fp${-(i + 1) * 8}` : `,fp${-(i + 1) * 8}`);
      BT.setSlot(i, fr);
      first = false;
    }
    if (!first) env.verbose('\n');
  }
  run(env, BT, env.cur, env.insnIdx);
}
