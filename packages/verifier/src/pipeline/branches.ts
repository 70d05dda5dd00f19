/**
 * The stack of branches still to explore (`push_stack` / `pop_stack`).
 */
import { msg } from '../messages';
import { copyState, type VerifierState } from '../state/verifier-state';
import { reject, type Env } from './env';

/** `BPF_COMPLEXITY_LIMIT_JMP_SEQ` */
export const JMP_SEQ_LIMIT = 8192;

/** Saves a copy of the current state to explore `insnIdx` later; returns the copy. */
export function pushBranch(env: Env, insnIdx: number, prevInsnIdx: number): VerifierState {
  const st = copyState(env.cur);
  env.pending.push({ state: st, insnIdx, prevInsnIdx, logPos: env.log.end });
  if (env.pending.length > JMP_SEQ_LIMIT) reject('jumpSeqTooComplex', msg.jumpSeqTooComplex(env.pending.length));
  if (st.parent) st.parent.branches++;
  return st;
}
