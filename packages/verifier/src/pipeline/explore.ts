/**
 * Step 3, path exploration (`do_check`): walks every path from instruction
 * 0 depth-first, keeping the branches not yet taken on a stack, applying the
 * transfer function of each instruction, pruning at prune points, and
 * counting processed instructions against the limit.
 */
import type { Insn } from '@bpflab/isa';
import { formatFrameState } from '../log/state-printer';
import { msg } from '../messages';
import { pointer } from '../state/reg-state';
import { newFrame, type VerifierState } from '../state/verifier-state';
import type { ExploreTracer } from '../states/record';
import { reject, Reject, type Env, type InsnAux } from './env';
import { checkMaxStackDepth } from './stack-depth';
import { freeFinished, isStateVisited, noteStateFinished } from './prune';
import { pushHistory } from './precision';
import { checkAlu } from './transfer-alu';
import {
  checkHelperCall,
  checkLdAbs,
  checkLdImm,
  checkReferenceLeak,
  checkReturnCode,
  checkSubprogCall,
  prepareFuncExit,
} from './transfer-call';
import { checkCondJump } from './transfer-jump';
import { checkAtomic, checkLoad, checkStore } from './transfer-mem';

/** The state at program entry: r1 = ctx, r10 = fp. */
export function initialState(): VerifierState {
  const f = newFrame(0, -1, 0);
  f.regs[1] = pointer('ctx');
  return {
    frames: [f],
    curframe: 0,
    refs: [],
    parent: undefined,
    branches: 1,
    insnIdx: 0,
    firstInsnIdx: 0,
    lastInsnIdx: -1,
    history: [],
    callbackUnrollDepth: 0,
    inLoop: false,
    speculative: false,
  };
}

/** `update_branch_counts`: one path through the state's ancestors is done. */
function updateBranchCounts(env: Env, st: VerifierState | undefined): void {
  let s = st;
  while (s) {
    s.branches--;
    if (s.branches > 0) break;
    noteStateFinished(env, s);
    freeFinished(env, s);
    s = s.parent;
  }
}

/** Processes one instruction of the current path; returns the next index, or -1 when the path ended. */
function step(env: Env, insn: Insn): number {
  const idx = env.insnIdx;
  switch (insn.kind) {
    case 'alu':
    case 'neg':
    case 'movsx':
    case 'endian':
      checkAlu(env, insn);
      return idx + 1;
    case 'load':
      checkLoad(env, insn);
      return idx + 1;
    case 'store':
      checkStore(env, insn);
      return idx + 1;
    case 'atomic':
      checkAtomic(env, insn);
      return idx + 1;
    case 'lddw':
      checkLdImm(env, insn);
      return idx + 2;
    case 'ld_abs':
    case 'ld_ind':
      checkLdAbs(env, insn);
      return idx + 1;
    case 'jump':
      env.jmpsProcessed++;
      return checkCondJump(env, insn);
    case 'ja':
      env.jmpsProcessed++;
      return idx + insn.off + 1;
    case 'call':
      env.jmpsProcessed++;
      return checkHelperCall(env, insn);
    case 'call_local':
      env.jmpsProcessed++;
      return checkSubprogCall(env, insn);
    case 'call_kfunc':
    case 'callx':
      env.jmpsProcessed++;
      return reject('callReservedFields', msg.callReservedFields());
    case 'exit':
      env.jmpsProcessed++;
      checkReferenceLeak(env);
      if (env.cur.curframe > 0) return -2;
      checkReturnCode(env);
      return -1;
  }
}

const specNote = (env: Env): string => (env.cur.speculative ? ' (speculative execution)' : '');

/** Errors that end the verification even on a speculative path (`error_recoverable_with_nospec` is false for them). */
const FATAL_ON_SPECULATIVE_PATH = new Set(['tooManyInsns', 'jumpSeqTooComplex', 'callStackTooDeep']);

/**
 * One instruction of a speculative path. An error ends only this path: the
 * kernel puts a speculation barrier (`nospec`) before the instruction, and
 * the log keeps the error text.
 */
function stepSpeculative(env: Env, insn: Insn, aux: InsnAux | undefined): number {
  try {
    return step(env, insn);
  } catch (e) {
    if (!(e instanceof Reject) || FATAL_ON_SPECULATIVE_PATH.has(e.code)) throw e;
    env.verbose(`${e.text}\n`);
    if (aux) {
      aux.nospec = true;
      aux.aluState = 0;
    }
    return -1;
  }
}

/**
 * `do_check`: explores every path; throws `Reject` on the first unsafe
 * instruction. A `tracer` hears of each instruction processed (with the
 * state before it), each pruned path and each branch taken up.
 */
export function explore(env: Env, tracer?: ExploreTracer): void {
  env.cur = initialState();
  env.insnIdx = 0;
  env.prevInsnIdx = -1;
  env.markAllScalarsScratchedAtStart();
  let doPrintState = false;
  for (;;) {
    env.curHistEnt = undefined;
    const idx = env.insnIdx;
    const insn = env.insns[idx];
    if (insn === undefined) throw new Error(`bpflab verifier: no instruction at ${idx}`);
    if (++env.insnProcessed > env.insnLimit) reject('tooManyInsns', msg.tooManyInsns(env.insnProcessed));
    env.cur.lastInsnIdx = env.prevInsnIdx;

    let ended = false;
    if (env.aux[idx]?.prunePoint) {
      if (isStateVisited(env, idx) === 1) {
        tracer?.pruned(idx);
        if (env.level >= 1) {
          if (doPrintState) env.verbose(`\nfrom ${env.prevInsnIdx} to ${idx}${specNote(env)}: safe\n`);
          else env.verbose(`${idx}: safe\n`);
        }
        ended = true;
      }
    }
    if (!ended) {
      if (env.aux[idx]?.jmpPoint) pushHistory(env);
      if (env.level >= 2 && doPrintState) {
        env.verbose(`\nfrom ${env.prevInsnIdx} to ${idx}${specNote(env)}:${formatFrameState(env.cur, env.cur.curframe)}\n`);
        doPrintState = false;
      }
      if (env.level >= 1) {
        if (env.stateScratched) env.printInsnState();
        env.verboseLinfo(idx, '; ');
        env.prevLogPos = env.log.end;
        env.verbose(`${idx}: ${env.insnText(idx, insn)}\n`);
        env.prevInsnPrintPos = env.log.end - env.prevLogPos;
        env.prevLogPos = env.log.end;
      }
      const aux = env.aux[idx];
      const speculative = env.cur.speculative;
      if (aux && !speculative) aux.seen = true;
      tracer?.insn(idx, env.cur);
      // A speculative path ends at a speculation barrier, and where it would fail.
      const next = speculative && aux?.nospec ? -1 : speculative ? stepSpeculative(env, insn, aux) : step(env, insn);
      env.prevInsnIdx = idx;
      if (insn.kind === 'lddw' && !speculative) {
        const a2 = env.aux[idx + 1];
        if (a2) a2.seen = true;
      }
      // On a speculative path, the barrier after a store ends the path (`nospec_result`).
      const barrier = speculative && next !== -1 && aux?.nospecResult === true;
      if (next === -2 && !barrier) {
        env.insnIdx = prepareFuncExit(env);
        doPrintState = true;
        continue;
      }
      if (next >= 0 && !barrier) {
        env.insnIdx = next;
        continue;
      }
    }
    // The path ended at exit, or was pruned: take the next pending branch.
    env.markAllScratched();
    updateBranchCounts(env, env.cur);
    const b = env.pending.pop();
    if (b === undefined) {
      // every path is safe: a level-1 log keeps nothing of them
      if (env.level === 1) env.log.reset(0);
      checkMaxStackDepth(env);
      return;
    }
    if (env.level === 1) env.log.reset(b.logPos);
    env.cur = b.state;
    env.insnIdx = b.insnIdx;
    env.prevInsnIdx = b.prevInsnIdx;
    tracer?.branch(b.prevInsnIdx, b.insnIdx);
    doPrintState = true;
  }
}
