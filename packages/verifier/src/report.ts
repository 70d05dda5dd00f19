/**
 * Step 5, report: the counters line that ends every kernel verifier log,
 * and the result `verify()` returns.
 */
import type { Insn } from '@bpflab/isa';
import type { LineInfo, VerifyStats } from './types';
import type { VerifierError } from './errors';
import type { StateTrace } from './states/record';

/** The kernel's processed-instruction limit (`BPF_COMPLEXITY_LIMIT_INSNS`). */
export const COMPLEXITY_LIMIT_INSNS = 1_000_000;

/** What `verify()` returns. Student mistakes are here, never thrown. */
export interface VerifyResult {
  /** true when the program was accepted */
  readonly ok: boolean;
  /** why it was rejected (the kernel stops at the first error: at most one) */
  readonly errors: readonly VerifierError[];
  /** the verifier log at the requested level, as the kernel writes it */
  readonly log: string;
  readonly stats: VerifyStats;
  /** source line of the failing instruction, when line info was given */
  readonly sourceLine?: LineInfo;
  /** the state at each processed instruction, per path (with `recordStates`) */
  readonly states?: StateTrace;
  /** the program by slot, as the verifier saw it: what `explain()` reads to find loops */
  readonly program?: VerifiedProgram;
}

/** A verified program by slot: the second slot of an `lddw` is `undefined`. */
export interface VerifiedProgram {
  readonly insns: readonly (Insn | undefined)[];
  /** line info given for each slot (mostly only at the first instruction of a line) */
  readonly lineInfo: readonly (LineInfo | undefined)[];
}

/** `processed N insns (limit 1000000) max_states_per_insn M total_states T peak_states P mark_read K` */
export function formatStats(s: VerifyStats): string {
  return (
    `processed ${s.processed} insns (limit ${COMPLEXITY_LIMIT_INSNS}) ` +
    `max_states_per_insn ${s.maxStatesPerInsn} total_states ${s.totalStates} ` +
    `peak_states ${s.peakStates} mark_read ${s.markRead}`
  );
}
