/**
 * The vm package's one error class.
 *
 * Load-time problems (a call of a helper nobody supplies, a jump out of the
 * program) are thrown when the program is prepared; run-time problems (a
 * memory fault, an exhausted budget, too deep a call chain) are thrown by
 * `run`/`step`. Every message starts with the pc when there is one.
 */

/** Stable codes of the vm package's errors. */
export type VmErrorCode =
  /** the program has no instructions */
  | 'empty-program'
  /** a jump or local call whose target is outside the program or inside an `lddw` */
  | 'bad-jump'
  /** an instruction the VM refuses to run as given (writes r10, unresolved `lddw` pseudo source) */
  | 'bad-insn'
  /** a `call` of a helper id the embedder did not supply (load time) or a `callx` to one (run time) */
  | 'unknown-helper'
  /** a kfunc call (`call_kfunc`) whose BTF id the embedder did not supply */
  | 'unknown-kfunc'
  /** a load or store outside every region, into a read-only region, or at NULL */
  | 'fault'
  /** the instruction budget ran out */
  | 'budget'
  /** a BPF-to-BPF call would exceed the call frame limit */
  | 'call-depth'
  /** execution ran past the last instruction */
  | 'fell-off'
  /** a legacy `ld_abs`/`ld_ind` packet load in a run that has no packet */
  | 'no-packet'
  /** a helper threw */
  | 'helper'
  /** the address space cannot grow to satisfy an allocation */
  | 'out-of-memory'
  /** the API was used wrongly: stepping a finished program, freeing an unknown region, a bad argument */
  | 'bad-call';

/** What a memory fault was doing, for programs that want more than the message. */
export interface FaultInfo {
  readonly access: 'read' | 'write';
  /** access size in bytes */
  readonly size: number;
  /** the full 64-bit address the program used */
  readonly address: bigint;
  /** name of the region the address is in or nearest to, if any */
  readonly region?: string;
}

/** Extra fields of a `VmError`. */
export interface VmErrorDetails {
  /** slot index of the instruction at fault */
  readonly pc?: number;
  /** set for `code: 'fault'` */
  readonly fault?: FaultInfo;
  /** the helper id, for `unknown-helper` and `helper` */
  readonly helper?: number;
  /** the underlying error (a helper's exception) */
  readonly cause?: unknown;
}

/**
 * The vm package's error. `code` is stable; `pc` is the slot index of the
 * instruction involved when there is one; `message` says what is wrong and where.
 */
export class VmError extends Error {
  override readonly name = 'VmError';
  readonly pc: number | undefined;
  readonly fault: FaultInfo | undefined;
  readonly helper: number | undefined;

  constructor(
    readonly code: VmErrorCode,
    message: string,
    details: VmErrorDetails = {},
  ) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.pc = details.pc;
    this.fault = details.fault;
    this.helper = details.helper;
  }
}
