/**
 * Running a loaded program once, as the kernel's hooks and
 * `BPF_PROG_TEST_RUN` do: on a named CPU, in the context of a task, with
 * tail calls followed (up to `MAX_TAIL_CALL_CNT`) and `bpf_loop`
 * callbacks run in their own frames.
 */
import type { Interpreter, PacketRef } from '@bpflab/vm';
import type { LoadedProgram } from './program';
import type { Task } from './tasks';
import type { TraceContext } from './trace-pipe';

/** `MAX_TAIL_CALL_CNT`: the most tail calls one run may make; the next one falls through. */
export const MAX_TAIL_CALL_CNT = 33;

/** How to run a program. */
export interface RunOptions {
  /** the CPU the program runs on (per-CPU maps, `bpf_get_smp_processor_id`); default 0 */
  readonly cpu?: number;
  /**
   * the current task (`bpf_get_current_pid_tgid`, ...): a task or a pid;
   * `null` for none (the helpers that need one fail with -EINVAL); default
   * the kernel's user-space process
   */
  readonly task?: Task | number | null;
  /** instructions the run may execute, tail calls and callbacks included; default the kernel's */
  readonly budget?: number;
  /** the execution context (the trace pipe's latency flags); default the program type's */
  readonly traceContext?: TraceContext;
  /**
   * the packet legacy `ld_abs`/`ld_ind` loads read (a socket filter's or a
   * tc program's `skb->data`), for the program run and those it tail-calls;
   * default none (such a load then faults)
   */
  readonly packet?: PacketRef;
}

/** What one run gives back. */
export interface ProgramRunResult {
  /** r0 at exit, unsigned 64-bit */
  readonly r0: bigint;
  /** r0's low 32 bits as a signed int: the program's `int` return value (`-1` for `return -EPERM`) */
  readonly retval: number;
  /** instructions executed, tail-called programs and callbacks included */
  readonly executed: number;
  /** the trace pipe lines the run wrote (each entry as `TracePipe.format` shows it) */
  readonly trace: readonly string[];
  /** tail calls that jumped (a failed one, which falls through, is not counted) */
  readonly tailCalls: number;
  /** the program that returned (the last one tail-called into, or the one run) */
  readonly finalProgram: LoadedProgram;
  /** the value `bpf_override_return` asked the probed function to return, if it was called */
  readonly overrideReturn: bigint | undefined;
}

/** The state of a run in progress, as helpers see it. */
export class RunFrame {
  /** the program executing now (changes on a tail call) */
  program: LoadedProgram;
  /** the kernel's `tail_call_cnt`: tail calls that passed the index check, including those to empty slots */
  tailCalls = 0;
  /** set by `bpf_tail_call`: the program to continue in, with its context */
  pendingTail: { readonly program: LoadedProgram; readonly ctx: bigint } | undefined;
  /** instructions the run may still execute */
  budgetLeft: number;
  /** set by `bpf_override_return` */
  overrideReturn: bigint | undefined;
  /** the engines running, innermost (a callback's) last */
  readonly engines: Interpreter[] = [];
  /** trace lines written by the run */
  readonly traceLines: string[] = [];
  /** instructions executed by callbacks */
  callbackExecuted = 0;

  constructor(
    readonly entry: LoadedProgram,
    readonly cpu: number,
    readonly task: Task | undefined,
    readonly traceContext: TraceContext,
    budget: number,
  ) {
    this.program = entry;
    this.budgetLeft = budget;
  }

  /** The innermost engine (whose registers a helper call sees). */
  get engine(): Interpreter {
    const e = this.engines[this.engines.length - 1];
    if (e === undefined) throw new Error('bpflab kernel internal error: a helper ran with no engine on the run frame');
    return e;
  }
}
