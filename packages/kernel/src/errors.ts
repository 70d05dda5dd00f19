/**
 * The kernel package's one error class.
 *
 * What a student's program or user-space code gets wrong is a result, not an
 * exception: `bpf()` commands answer with errno results, `load()` with a
 * load result, helpers with negative errno. `KernelError` is thrown for
 * misuse of the API (a map name that does not exist, a run before load),
 * for features bpflab does not model (`code: 'unsupported'` with the
 * `feature`), and when a program that nothing verified faults at run time.
 */

/** Stable codes of the kernel package's errors. */
export type KernelErrorCode =
  /** the API was used wrongly: a bad argument, a CPU outside the machine, an unknown task */
  | 'bad-call'
  /** a name or path that names nothing (`obj.map('nope')`) */
  | 'not-found'
  /** an object used before `load()` or after `close()` */
  | 'not-loaded'
  /** something Linux has and bpflab does not model; `feature` says what */
  | 'unsupported'
  /** a program stopped on a fault, an exhausted budget or too deep a call chain (`cause` is the VM's error) */
  | 'run-fault'
  /** a program was started while it was already running (the kernel would skip the run and count a miss) */
  | 'recursion'
  /** a user-space convenience call met an errno it cannot turn into a value (`errno` says which) */
  | 'errno'
  /** a hook plugin the registry refuses: a section, step kind or program type another plugin already claims */
  | 'hook-conflict'
  /** a scenario step the hooks cannot run: no step kind, an unknown syscall, map or task */
  | 'bad-step';

/** Extra fields of a `KernelError`. */
export interface KernelErrorDetails {
  /** for `unsupported`: the Linux feature, in words (`helper bpf_get_stackid#27`) */
  readonly feature?: string;
  /** for `errno`: the positive errno */
  readonly errno?: number;
  /** the program concerned */
  readonly program?: string;
  /** slot index of the instruction concerned */
  readonly pc?: number;
  /** the underlying error */
  readonly cause?: unknown;
}

/** The kernel package's error. `code` is stable; `message` says what and where. */
export class KernelError extends Error {
  override readonly name = 'KernelError';
  readonly feature: string | undefined;
  readonly errno: number | undefined;
  readonly program: string | undefined;
  readonly pc: number | undefined;

  constructor(
    readonly code: KernelErrorCode,
    message: string,
    details: KernelErrorDetails = {},
  ) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.feature = details.feature;
    this.errno = details.errno;
    this.program = details.program;
    this.pc = details.pc;
  }
}
