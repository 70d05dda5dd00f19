/**
 * The verification step of a program load, as an interface: the verifier
 * package plugs in here (`KernelOptions.verifier`). The kernel hands it
 * the program as `BPF_PROG_LOAD` would (instructions with map references
 * still symbolic), its program type and the maps it uses, and loads the
 * program only when the verdict is `ok`.
 *
 * Until a verifier is installed, {@link passThroughVerifier} stands in: it
 * accepts everything and says so — its verdict has `verified: false`, the
 * program's status is `not-verified`, and nothing reports it as verified.
 */
import type { Btf, TypeId } from '@bpflab/btf';
import type { Insn } from '@bpflab/isa';
import type { MapInfo } from '@bpflab/maps';
import type { LinkedFunction, SourceLine } from '@bpflab/object';
import type { AttachTypeName } from '@bpflab/uapi';
import type { ProgramTypeDef } from './program-types';

/**
 * A program as the verifier sees it. In `insns`, `lddw` instructions that
 * refer to maps keep their pseudo source: `map_fd` with the value = the
 * map's index in the `maps` argument, `map_value` with the index in the
 * low 32 bits and the byte offset in the high 32 bits; `func` (a callback's
 * address) with the relative offset of the function in the low 32 bits, as
 * the kernel receives them.
 */
export interface VerifierProgram {
  readonly name: string;
  readonly insns: readonly Insn[];
  /** the license string */
  readonly license: string;
  /** whether the license is GPL-compatible (GPL-only helpers need it) */
  readonly gplCompatible: boolean;
  readonly expectedAttachType: AttachTypeName | undefined;
  /** the functions in `insns` (the program at pc 0, then subprograms), when known */
  readonly functions: readonly LinkedFunction[];
  /** C source lines by pc, when the object has BTF line info */
  readonly lineInfo: readonly SourceLine[];
  /** the object's BTF, when it has one */
  readonly btf: Btf | undefined;
  /** `BPF_F_SLEEPABLE` and the other load flags */
  readonly flags: number;
  /**
   * `attach_btf_id`, by name: the kernel function an LSM, fentry/fexit or
   * tp_btf program attaches to (`bpf_lsm_file_open`), when it names one
   */
  readonly attachBtfName?: string;
}

/** A map the program uses, at its index in the verifier's `maps` argument. */
export interface VerifierMap {
  readonly index: number;
  /** the fd user space passed */
  readonly fd: number;
  readonly info: MapInfo;
  /** the map's BTF and its key and value types, when it has BTF */
  readonly btf: Btf | undefined;
  readonly keyType: TypeId | undefined;
  readonly valueType: TypeId | undefined;
}

/** One reason a verifier refused a program. */
export interface VerifierIssue {
  readonly message: string;
  /** slot index of the instruction concerned */
  readonly pc?: number;
}

/** A verifier's verdict. */
export interface VerifierVerdict {
  readonly ok: boolean;
  /** the verifier log (what `log_buf` receives) */
  readonly log: string;
  readonly errors: readonly VerifierIssue[];
  /**
   * `false` when nothing was checked (the pass-through stand-in). A real
   * verifier leaves it out or sets `true`.
   */
  readonly verified?: boolean;
  /** the errno of a refusal (the kernel's verifier mostly answers EACCES, sometimes EINVAL); default EACCES */
  readonly errno?: number;
}

/** The verification step: program, program type and maps in; a verdict out. */
export type Verifier = (program: VerifierProgram, progType: ProgramTypeDef, maps: readonly VerifierMap[]) => VerifierVerdict;

/** Where a loaded program stands with respect to verification. */
export type VerificationStatus =
  /** a verifier checked it and accepted it */
  | 'verified'
  /** loaded without verification (the pass-through stand-in was installed) */
  | 'not-verified';

/** The log line of the pass-through stand-in. */
export const NOT_VERIFIED_LOG = 'not verified: no verifier is installed in this simulated kernel; the program was loaded unchecked\n';

/**
 * The stand-in verifier: accepts every program without checking anything,
 * and marks its verdict `verified: false`.
 */
export const passThroughVerifier: Verifier = () => ({ ok: true, verified: false, log: NOT_VERIFIED_LOG, errors: [] });

/** The license strings Linux treats as GPL-compatible (`license_is_gpl_compatible`). */
export function licenseIsGplCompatible(license: string): boolean {
  return ['GPL', 'GPL v2', 'GPL and additional rights', 'Dual BSD/GPL', 'Dual MIT/GPL', 'Dual MPL/GPL'].includes(license);
}
