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
 * A BTF type as the verifier reads it (the kernel's `struct btf_type`,
 * decoded): enough to walk kernel structs (`btf_struct_access`) and the
 * attach function's prototype (`btf_ctx_access`). Ids are the source's.
 */
export type BtfTypeDesc =
  | { readonly kind: 'void' }
  | { readonly kind: 'int'; readonly name: string; readonly size: number }
  | { readonly kind: 'enum'; readonly name: string; readonly size: number }
  | { readonly kind: 'ptr'; readonly type: number }
  | { readonly kind: 'struct' | 'union'; readonly name: string; readonly size: number; readonly members: readonly BtfMemberDesc[] }
  | { readonly kind: 'array'; readonly type: number; readonly nelems: number }
  /** modifiers and typedefs: `type` is what they qualify or name */
  | { readonly kind: 'typedef' | 'const' | 'volatile' | 'restrict' | 'type_tag'; readonly name: string; readonly type: number }
  /** anything else (`fwd`, `func_proto`, `float`...), by its kind name in the log (`FWD`, `FUNC_PROTO`) */
  | { readonly kind: 'other'; readonly name: string; readonly btfKind: string };

/** One member of a struct or union. */
export interface BtfMemberDesc {
  readonly name: string;
  readonly type: number;
  /** offset from the start of the struct, in bits */
  readonly bitOffset: number;
  /** bitfield size in bits; 0 when the member is not a bitfield */
  readonly bitSize: number;
}

/**
 * Where the verifier looks BTF types up: the kernel's BTF ("vmlinux"),
 * behind a small interface so the verifier stays independent of the
 * kernel. `type(0)` is `void`.
 */
export interface BtfTypeSource {
  type(id: number): BtfTypeDesc | undefined;
  /** the id of the struct (or union) called `name`, for helpers returning `struct name *` */
  structId?(name: string): number | undefined;
}

/** One argument of the attach function: its name and BTF type id. */
export interface BtfCtxArg {
  readonly name: string;
  readonly type: number;
}

/**
 * The context of a program whose arguments Linux types through BTF (LSM,
 * fentry/fexit, tp_btf): `u64 ctx[]`, one slot per argument of the attach
 * function (`attach_func_proto`), checked by `btf_ctx_access`. Pointer
 * arguments to structs load as `PTR_TO_BTF_ID`, integers as scalars.
 */
export interface BtfContext {
  /** the attach function (`attach_func_name`): `bpf_lsm_file_open` */
  readonly func: string;
  readonly args: readonly BtfCtxArg[];
  /** the function's return type id (0: void) */
  readonly ret: number;
  /**
   * What the slot after the arguments holds: `retval` for LSM programs (the
   * previous program's return, already within `returns`: the kernel's
   * `is_retval`), `fexit` for fexit programs (the traced function's
   * return); absent: no such slot
   */
  readonly retSlot?: 'retval' | 'fexit';
  /** pointer arguments are `PTR_TRUSTED` (LSM hooks, tp_btf) */
  readonly trusted: boolean;
  /** the program is sleepable (`BPF_F_SLEEPABLE`): it runs outside the RCU read section. Default false */
  readonly sleepable?: boolean;
  /**
   * tracing programs (fentry/fexit, tp_btf): accesses are first checked by
   * `tracing_prog_is_valid_access` (reads only, within 12 slots, aligned
   * to their size). Default false (LSM: `btf_ctx_access` alone)
   */
  readonly tracing?: boolean;
  /** resolves the type ids above, and the structs they point to */
  readonly btf: BtfTypeSource;
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
  /**
   * The context is the attach function's arguments, typed through BTF
   * (LSM, fentry/fexit, tp_btf): ctx accesses follow `btf_ctx_access`
   * instead of `ctx.fields`
   */
  readonly btfCtx?: BtfContext;
  /**
   * `returns` is checked on the low 32 bits of R0 (`return_32bit`: LSM
   * hooks return an int)
   */
  readonly returns32?: boolean;
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
