/**
 * The state dump (`bpflab verify --states`): the register and stack state
 * the verifier had when it reached each instruction, for every path it
 * walked, as the kernel's level-2 log has them. Path exploration tells a
 * {@link StateRecorder} what it does (`ExploreTracer`); the recorder keeps
 * cheap snapshots (registers and slots are immutable values, so a snapshot
 * copies two arrays) and formats them in the kernel's notation at the end.
 */
import type { Insn } from '@bpflab/isa';
import type { VerifierError } from '../errors';
import { formatKernelInsn } from '../log/insn-printer';
import { regItems, stackItems, type StateItem } from '../log/state-printer';
import type { RegState } from '../state/reg-state';
import type { StackSlot, VerifierState } from '../state/verifier-state';
import type { LineInfo } from '../types';

export type { StateItem } from '../log/state-printer';

/** Visits recorded at most; past it the trace says `truncated` (a long loop would fill memory). */
export const STATE_VISIT_LIMIT = 100_000;

/** One instruction of the program, as the state dump lists it. */
export interface TracedInsn {
  /** instruction index (slot; an `lddw` takes two) */
  readonly pc: number;
  /** the instruction in the kernel log's syntax: `(79) r1 = *(u64 *)(r0 +0)` */
  readonly text: string;
  /** the C source line in force here (BTF line info), when known */
  readonly source?: LineInfo;
  /** true when a line info record with text starts at this instruction */
  readonly lineStart: boolean;
}

/** The state when the verifier reached an instruction on one path, before it ran it. */
export interface StateVisit {
  readonly pc: number;
  /** call frame depth (0: the main program) */
  readonly frame: number;
  /** initialised registers of the current frame: `R1` = `ctx()` */
  readonly regs: readonly StateItem[];
  /** written stack slots of the current frame: `fp-8` = `mmmmmmmm` */
  readonly stack: readonly StateItem[];
  /** ids of references held (ring buffer records) */
  readonly refs: readonly number[];
}

/** How a path ended. */
export type PathEnd =
  /** at an `exit` of the main program */
  | { readonly kind: 'exit'; readonly pc: number }
  /** pruned: a state already proven safe at `pc` covers this one (`from X to Y: safe`) */
  | { readonly kind: 'pruned'; readonly pc: number }
  /** the verifier rejected the program at `pc` */
  | { readonly kind: 'rejected'; readonly pc: number; readonly message: string }
  /** a speculative path (unprivileged loads) stopped at a speculation barrier or where it would fail */
  | { readonly kind: 'speculative'; readonly pc: number }
  /** the recording stopped at {@link STATE_VISIT_LIMIT} */
  | { readonly kind: 'truncated' };

/** One path of the exploration: the main path, or a branch taken later. */
export interface StatePath {
  /** 1 for the first path, in the order the verifier walked them */
  readonly index: number;
  /** the jump the path branched off at (absent for the first path) */
  readonly from?: number;
  /** the instruction the path starts at */
  readonly start: number;
  /** a path only a mispredicting CPU would take, which the kernel checks for unprivileged loads */
  readonly speculative?: true;
  readonly visits: readonly StateVisit[];
  readonly end: PathEnd;
}

/** The states of one verification (`VerifyResult.states`). */
export interface StateTrace {
  /** every instruction of the program, processed or not */
  readonly insns: readonly TracedInsn[];
  readonly paths: readonly StatePath[];
  /** true when the recording stopped at {@link STATE_VISIT_LIMIT} visits */
  readonly truncated: boolean;
}

/** What path exploration tells a recorder. */
export interface ExploreTracer {
  /** the verifier is about to process instruction `idx` with state `st` */
  insn(idx: number, st: VerifierState): void;
  /** the current path ends at `idx`, pruned */
  pruned(idx: number): void;
  /** a pending branch (`from` → `to`) becomes the current path */
  branch(from: number, to: number): void;
}

interface Snapshot {
  readonly pc: number;
  readonly frame: number;
  readonly frameno: number;
  readonly regs: readonly RegState[];
  readonly stack: readonly StackSlot[];
  readonly refs: readonly number[];
}

interface OpenPath {
  readonly index: number;
  readonly from?: number;
  readonly start: number;
  readonly visits: Snapshot[];
  speculative?: true;
  end?: PathEnd;
}

/** Records the states of one exploration; `finish()` turns them into a {@link StateTrace}. */
export class StateRecorder implements ExploreTracer {
  private readonly paths: OpenPath[] = [{ index: 1, start: 0, visits: [] }];
  private count = 0;
  private truncated = false;

  constructor(
    private readonly insns: readonly (Insn | undefined)[],
    private readonly lineInfo: readonly (LineInfo | undefined)[],
    private readonly mapAddress: (insn: Insn & { kind: 'lddw' }) => bigint,
    private readonly limit = STATE_VISIT_LIMIT,
  ) {}

  private get current(): OpenPath {
    return this.paths[this.paths.length - 1]!;
  }

  insn(idx: number, st: VerifierState): void {
    if (this.truncated) return;
    if (this.count >= this.limit) {
      this.truncated = true;
      this.current.end ??= { kind: 'truncated' };
      return;
    }
    this.count++;
    if (st.speculative) this.current.speculative = true;
    const f = st.frames[st.curframe]!;
    this.current.visits.push({
      pc: idx,
      frame: st.curframe,
      frameno: f.frameno,
      regs: f.regs.slice(),
      stack: f.stack.slice(),
      refs: st.refs.filter((r) => r.id !== 0).map((r) => r.id),
    });
  }

  pruned(idx: number): void {
    if (!this.truncated) this.current.end ??= { kind: 'pruned', pc: idx };
  }

  branch(from: number, to: number): void {
    if (this.truncated) return;
    this.closeAtExit();
    this.paths.push({ index: this.paths.length + 1, from, start: to, visits: [] });
  }

  /** A path that ended without being pruned or rejected ended at its last instruction, an exit. */
  private closeAtExit(): void {
    const p = this.current;
    const last = p.visits[p.visits.length - 1];
    if (p.end === undefined && last !== undefined) p.end = p.speculative ? { kind: 'speculative', pc: last.pc } : { kind: 'exit', pc: last.pc };
  }

  /** The trace, with the rejection (if any) ending the path that was being walked. */
  finish(errors: readonly VerifierError[]): StateTrace {
    const err = errors[0];
    const p = this.current;
    if (err !== undefined && p.end === undefined && (p.visits.length > 0 || this.paths.length > 1)) p.end = { kind: 'rejected', pc: err.pc, message: err.message };
    this.closeAtExit();
    const paths = this.paths
      .filter((x) => x.visits.length > 0 || x.end !== undefined)
      .map(
        (x): StatePath => ({
          index: x.index,
          ...(x.from === undefined ? {} : { from: x.from }),
          start: x.start,
          ...(x.speculative ? { speculative: true as const } : {}),
          visits: x.visits.map(formatSnapshot),
          end: x.end ?? { kind: 'truncated' },
        }),
      );
    return { insns: this.listing(), paths, truncated: this.truncated };
  }

  private listing(): TracedInsn[] {
    const out: TracedInsn[] = [];
    let source: LineInfo | undefined;
    this.insns.forEach((insn, pc) => {
      if (insn === undefined) return;
      // a record without text (clang writes some) keeps the line before it in force
      const li = this.lineInfo[pc];
      const starts = li !== undefined && li.line.trim() !== '';
      if (starts) source = li;
      out.push({
        pc,
        text: formatKernelInsn(insn, { mapAddress: this.mapAddress }),
        ...(source === undefined ? {} : { source }),
        lineStart: starts,
      });
    });
    return out;
  }
}

function formatSnapshot(s: Snapshot): StateVisit {
  return { pc: s.pc, frame: s.frame, regs: regItems(s), stack: stackItems(s), refs: s.refs };
}
