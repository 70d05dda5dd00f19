/**
 * The stack of branches still to explore (`push_stack` / `pop_stack`).
 */
import { msg } from '../messages';
import type { RegState } from '../state/reg-state';
import { copyState, type VerifierState } from '../state/verifier-state';
import { reject, type Env } from './env';

/** `BPF_COMPLEXITY_LIMIT_JMP_SEQ` */
export const JMP_SEQ_LIMIT = 8192;

/**
 * Saves a copy of the current state to explore `insnIdx` later; returns the
 * copy. A `speculative` copy is a path a mispredicting CPU may take.
 */
export function pushBranch(env: Env, insnIdx: number, prevInsnIdx: number, speculative = false): VerifierState {
  const st = copyState(env.cur);
  if (speculative) st.speculative = true;
  env.pending.push({ state: st, insnIdx, prevInsnIdx, logPos: env.log.end });
  if (env.pending.length > JMP_SEQ_LIMIT) reject('jumpSeqTooComplex', msg.jumpSeqTooComplex(env.pending.length));
  if (st.parent) st.parent.branches++;
  return st;
}

/**
 * `sanitize_speculative_path`: for loaders without CAP_PERFMON, the side of
 * a branch the verifier knows is never taken is still explored, as a
 * speculative path, with the compared registers unknown (a CPU may
 * mispredict the branch whatever their values).
 */
export function pushSpeculative(env: Env, insnIdx: number, prevInsnIdx: number, unknownRegs: readonly number[], unknown: RegState): void {
  const st = pushBranch(env, insnIdx, prevInsnIdx, true);
  const f = st.frames[st.curframe];
  if (f) for (const r of unknownRegs) f.regs[r] = unknown;
}
