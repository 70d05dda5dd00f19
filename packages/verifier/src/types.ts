/**
 * What the verifier takes: a program, the description of its program type,
 * and options. None of it depends on the simulated kernel: the kernel and
 * the hook plugins build these values.
 */
import type { Insn, Size, SourceLocation } from '@bpflab/isa';

/** Source of one instruction, from BTF line info (or the assembly line). */
export interface LineInfo {
  /** the C source line, as BTF line info stores it */
  readonly line: string;
  readonly file?: string;
  readonly lineNumber?: number;
  readonly column?: number;
}

/** The program to verify. */
export interface VerifyProgram {
  /** decoded instructions (an `lddw` is one instruction, two slots) */
  readonly insns: readonly Insn[];
  /**
   * source of each instruction, parallel to `insns` (entries may be
   * `undefined`); used to print the C line before a failing instruction
   */
  readonly lineInfo?: readonly (LineInfo | undefined)[];
  /**
   * where each instruction was written, parallel to `insns` (the `.s`
   * line); copied into errors' `source`
   */
  readonly sources?: readonly (SourceLocation | undefined)[];
  /** the `license` section: "GPL", "Dual BSD/GPL", ... */
  readonly license: string;
}

/**
 * A map the program refers to. `lddw rX, map_fd` (`ld_pseudo rX, 1, N`)
 * and `map_value` pseudo loads name maps by index N into `VerifyOptions.maps`.
 */
export interface MapDescription {
  /** map type, short name of `enum bpf_map_type`: `hash`, `array`, `percpu_hash`, `ringbuf`... */
  readonly type: string;
  readonly keySize: number;
  readonly valueSize: number;
  readonly maxEntries: number;
  /** shown in the log as `map=<name>` (the kernel truncates names to 15 bytes) */
  readonly name?: string;
  /** `BPF_F_RDONLY_PROG`: the program may not write values */
  readonly readonlyProg?: boolean;
}

/** What a context load yields. */
export type CtxYield =
  /** a scalar (`SCALAR_VALUE`) */
  | 'scalar'
  /** `PTR_TO_PACKET`: start of packet data */
  | 'pkt'
  /** `PTR_TO_PACKET_END` */
  | 'pkt_end'
  /** `PTR_TO_PACKET_META` */
  | 'pkt_meta';

/**
 * One field (or readable region) of the context structure. An access is
 * valid when it lies inside one field, is aligned to its size, and its size
 * is one the field allows for that direction.
 */
export interface CtxField {
  /** C field name, for messages and docs */
  readonly name: string;
  /** byte offset in the context */
  readonly offset: number;
  /** byte size of the field (or region) */
  readonly size: number;
  /** access sizes allowed for loads; empty when not readable */
  readonly read: readonly Size[];
  /** access sizes allowed for stores; empty when not writable */
  readonly write: readonly Size[];
  /** what a load yields (default `scalar`) */
  readonly yields?: CtxYield;
}

/** The context layout of a program type (`is_valid_access`, as data). */
export interface CtxLayout {
  /** C type name, e.g. `struct xdp_md` */
  readonly type: string;
  /** `sizeof` the context */
  readonly size: number;
  readonly fields: readonly CtxField[];
}

/** Allowed range of R0 at program exit (`check_return_code`). */
export interface ReturnRange {
  readonly min: bigint;
  readonly max: bigint;
}

/**
 * A program type as the verifier needs it: the data behind the kernel's
 * `bpf_verifier_ops` for that type. Hook plugins supply theirs.
 */
export interface ProgramTypeDescription {
  /** short name: `xdp`, `socket_filter`, `tracepoint` */
  readonly name: string;
  /** `enum bpf_prog_type` value, when the type exists in Linux (used by the kernel oracle) */
  readonly kernelType?: number;
  readonly ctx: CtxLayout;
  /**
   * helper ids a privileged (CAP_BPF + CAP_PERFMON) program may call
   */
  readonly helpers: readonly number[];
  /**
   * helper ids an unprivileged program may call; defaults to `helpers`
   * without those the kernel reserves for CAP_BPF / CAP_PERFMON
   */
  readonly unprivilegedHelpers?: readonly number[];
  /** R0 at exit must lie in this range; any scalar when absent */
  readonly returns?: ReturnRange;
  /** direct packet access through `pkt` pointers: reads, and writes when `write` */
  readonly packet?: { readonly write: boolean };
  /** `BPF_LD_ABS` / `BPF_LD_IND` are allowed (socket filters, tc) */
  readonly ldAbs?: boolean;
  /** may the program be loaded without privileges (socket filters) */
  readonly unprivilegedLoad?: boolean;
}

/** Options of `verify()`. */
export interface VerifyOptions {
  /**
   * Load as root (CAP_BPF + CAP_PERFMON + CAP_SYS_ADMIN), as students do
   * with sudo. When false, the unprivileged rules apply: no pointer leaks,
   * no bounded loops, no BPF-to-BPF calls, bounds checks for speculation.
   * Default true.
   */
  readonly privileged?: boolean;
  /**
   * Finer than `privileged`: which capabilities the loader has. CAP_BPF
   * allows loops, BPF-to-BPF calls and spills of scalars; CAP_PERFMON allows
   * pointer leaks, reading uninitialised stack and skips the speculation
   * bounds checks. Default: both as `privileged` says.
   */
  readonly capabilities?: { readonly bpf: boolean; readonly perfmon: boolean };
  /**
   * 0: no log; 1: the path to the error (`BPF_LOG_LEVEL1`); 2: every
   * instruction of every path with states (`BPF_LOG_LEVEL2`). Default 0.
   */
  readonly logLevel?: 0 | 1 | 2;
  /** maps by the index used in `lddw` map pseudo instructions. Default none. */
  readonly maps?: readonly MapDescription[];
  /** processed-instruction limit (`BPF_COMPLEXITY_LIMIT_INSNS`). Default 1,000,000. */
  readonly insnLimit?: number;
  /** number of possible CPUs, for `bpf_get_smp_processor_id` ranges. Default 2. */
  readonly nrCpus?: number;
  /**
   * Record the register and stack state at each processed instruction, per
   * path, into `VerifyResult.states` (`bpflab verify --states`). Default false.
   */
  readonly recordStates?: boolean;
  /**
   * The program comes with BTF function info (`prog_btf_fd`, `func_info`),
   * which a subprogram needs to call `bpf_tail_call` or use `LD_ABS`.
   * Default false; line info in the program (clang `-g` writes both)
   * counts as BTF too.
   */
  readonly btf?: boolean;
}

/** Defaults of {@link VerifyOptions}. */
export const DEFAULT_VERIFY_OPTIONS: Required<Omit<VerifyOptions, 'capabilities'>> & Pick<VerifyOptions, 'capabilities'> = Object.freeze({
  privileged: true,
  logLevel: 0,
  maps: [],
  insnLimit: 1_000_000,
  nrCpus: 2,
  recordStates: false,
  btf: false,
});

/** Counters of one verification, as the kernel's last log line reports them. */
export interface VerifyStats {
  /** `insn_processed` */
  readonly processed: number;
  readonly maxStatesPerInsn: number;
  readonly totalStates: number;
  readonly peakStates: number;
  /** `longest_mark_read_walk` (always 0 on current kernels, which track liveness differently) */
  readonly markRead: number;
  /** stack depth of each subprogram, in bytes */
  readonly stackDepth: readonly number[];
}
