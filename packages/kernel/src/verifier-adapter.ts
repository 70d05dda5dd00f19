/**
 * The verifier package in the kernel's verification seam: a kernel
 * {@link Verifier} that checks every program with `@bpflab/verifier`, as
 * `BPF_PROG_LOAD` runs the Linux verifier.
 *
 * ```ts
 * const registry = new HookRegistry().register(tracepointHook);
 * const kernel = new Kernel({ verifier: createKernelVerifier({ registry }) });
 * registry.install(kernel);
 * ```
 *
 * For each program the adapter finds what the verifier needs to know about
 * its program type ({@link describeProgramType}):
 *
 * 1. the hook plugin that attaches programs of that type and expected
 *    attach type, when a registry is given and has one: its context
 *    layout, return range and packet access, with the kernel's helper set
 *    for the type;
 * 2. else the verifier's built-in description of the type (`xdp`,
 *    `socket_filter`, `tracepoint`), with the kernel's helper set;
 * 3. else nothing: the program loads unchecked, its verdict says
 *    `not verified: bpflab has no verifier description for program type X`
 *    and `verified: false`, so nothing reports it as verified.
 *
 * A rejected program fails the load with EACCES, as on Linux, carrying the
 * verifier's log (the kernel's text, unchanged). The plain-language
 * explanation (`explain()`: C source line, why, hint) rides along on the
 * verdict and is handed to `onVerdict`, for front ends that show it.
 */
import type { ProgTypeName } from '@bpflab/uapi';
import { MAP_FLAG } from '@bpflab/uapi';
import {
  defineProgramType,
  explain,
  PROGRAM_TYPES,
  verify,
  type CtxField as VerifierCtxField,
  type Explanation,
  type LineInfo,
  type MapDescription,
  type MsgCode,
  type ProgramTypeDescription,
  type VerifyResult,
} from '@bpflab/verifier';
import { basename } from 'node:path';
import { ERRNO } from '@bpflab/uapi';
import type { CtxLayout } from './hooks/ctx-layout';
import type { HookProgramType } from './hooks/define-hook';
import type { HookRegistry } from './hooks/registry';
import type { ProgramTypeDef } from './program-types';
import type { Verifier, VerifierMap, VerifierProgram, VerifierVerdict } from './verifier';
import type { Btf } from '@bpflab/btf';
import { kernelBtf } from './kernel-btf';
import { describeBtfProgramType } from './verifier-btf-ctx';

/** Options of {@link createKernelVerifier}. */
export interface KernelVerifierOptions {
  /** hook plugins whose program types describe contexts (checked before the verifier's built-in types) */
  readonly registry?: HookRegistry;
  /** load as root (CAP_BPF + CAP_PERFMON + CAP_SYS_ADMIN); default true */
  readonly privileged?: boolean;
  /** 0: no log; 1: the failing path (default, what libbpf asks for after a failure); 2: everything */
  readonly logLevel?: 0 | 1 | 2;
  /** called with every verdict, with the verifier's full result and explanation */
  readonly onVerdict?: (report: KernelVerifierReport) => void;
  /** record the state at each processed instruction into the result's `states` (`bpflab verify --states`); default false */
  readonly states?: boolean;
  /** the kernel's BTF, where LSM programs' attach functions are looked up; default the simulated kernel's own */
  readonly kernelBtf?: Btf;
}

/** Where a program type's description came from. */
export type DescriptionSource =
  /** a hook plugin's program type (its context layout) */
  | 'hook'
  /** the verifier package's built-in type */
  | 'builtin';

/** What the verifier knows about a program type, or why it knows nothing. */
export type ProgramTypeLookup =
  | { readonly kind: 'described'; readonly source: DescriptionSource; readonly description: ProgramTypeDescription; readonly hook?: string }
  | { readonly kind: 'none'; readonly reason: string };

/** A verdict of the adapter: the kernel's, plus what the verifier package said. */
export interface KernelVerifierVerdict extends VerifierVerdict {
  /** the verifier's result; absent when the type has no description */
  readonly result?: VerifyResult;
  /** the explanation of a rejection (C line, why, hint) */
  readonly explanation?: Explanation;
  /** the program type description used, or why there was none */
  readonly lookup: ProgramTypeLookup;
}

/** One program's verification, as `onVerdict` receives it. */
export interface KernelVerifierReport {
  /** the program's name */
  readonly program: string;
  readonly progType: ProgTypeName;
  readonly verdict: KernelVerifierVerdict;
}

/** The log of a program loaded unchecked because its type has no description. */
export function notVerifiedLog(progType: string, reason: string): string {
  return `not verified: bpflab has no verifier description for program type ${progType} (${reason}); the program was loaded unchecked\n`;
}

/**
 * Program types whose context Linux types through BTF (`attach_btf_id`):
 * their arguments are `PTR_TO_BTF_ID` pointers, which the verifier package
 * does not model, so a layout of plain scalars would refuse correct programs.
 */
const BTF_TYPED_CONTEXT: ReadonlySet<ProgTypeName> = new Set<ProgTypeName>(['EXT', 'STRUCT_OPS']);

/**
 * Types whose BTF-typed context the verifier models: their description
 * comes from the attach function's prototype in the kernel's BTF
 * ({@link describeBtfProgramType}).
 */
const BTF_DESCRIBED: ReadonlySet<ProgTypeName> = new Set<ProgTypeName>(['LSM', 'TRACING']);

/** What the verifier is told about a program with a BTF-typed context (see `BTF_DESCRIBED`). */
export function describeBtfTyped(typeDef: ProgramTypeDef, program: VerifierProgram, btf: Btf, registry?: HookRegistry): ProgramTypeLookup {
  const d = describeBtfProgramType(typeDef, program, btf, registry);
  if (d.kind === 'none') return { kind: 'none', reason: `${d.reason}, so its BTF-typed context cannot be checked` };
  const claim = registry?.forProgramType(typeDef.name, program.expectedAttachType);
  return { kind: 'described', source: 'hook', description: d.description, ...(claim === undefined ? {} : { hook: claim.plugin.name }) };
}

/** Types that may use `BPF_LD_ABS` / `BPF_LD_IND` (`may_access_skb`). */
const LD_ABS_TYPES: ReadonlySet<ProgTypeName> = new Set<ProgTypeName>(['SOCKET_FILTER', 'SCHED_CLS', 'SCHED_ACT']);

/** Types an unprivileged user may load (`unprivileged_bpf_disabled` off). */
const UNPRIVILEGED_TYPES: ReadonlySet<ProgTypeName> = new Set<ProgTypeName>(['SOCKET_FILTER', 'CGROUP_SKB']);

/** A kernel context layout as the verifier takes it, or why it cannot be. */
function verifierCtx(ctx: CtxLayout): { readonly ok: true; readonly fields: readonly VerifierCtxField[] } | { readonly ok: false; readonly reason: string } {
  const fields: VerifierCtxField[] = [];
  for (const f of ctx.fields) {
    const yields = f.yields ?? 'scalar';
    if (yields === 'btf_id') {
      return { ok: false, reason: `its context field ${f.name} is a BTF-typed pointer (${f.btfType ?? 'btf_id'} *), which the verifier does not model yet` };
    }
    fields.push({ name: f.name, offset: f.offset, size: f.size, read: f.read, write: f.write, ...(yields === 'scalar' ? {} : { yields }) });
  }
  return { ok: true, fields };
}

function fromHook(typeDef: ProgramTypeDef, t: HookProgramType, hook: string): ProgramTypeLookup {
  const ctx = verifierCtx(t.ctx);
  if (!ctx.ok) return { kind: 'none', reason: `hook plugin ${hook}: ${ctx.reason}` };
  const hasPacket = ctx.fields.some((f) => f.yields === 'pkt');
  const description = defineProgramType({
    name: typeDef.name.toLowerCase(),
    kernelType: typeDef.type,
    ctx: { type: t.ctx.type, size: t.ctx.size, fields: ctx.fields },
    helpers: [...typeDef.helpers].sort((a, b) => a - b),
    ...(t.returns === undefined ? {} : { returns: t.returns }),
    ...(hasPacket ? { packet: { write: t.packetWrite ?? false } } : {}),
    ...(LD_ABS_TYPES.has(typeDef.name) ? { ldAbs: true } : {}),
    ...(UNPRIVILEGED_TYPES.has(typeDef.name) ? { unprivilegedLoad: true } : {}),
  });
  return { kind: 'described', source: 'hook', description, hook };
}

function fromBuiltin(typeDef: ProgramTypeDef, builtin: ProgramTypeDescription): ProgramTypeLookup {
  const helpers = [...typeDef.helpers].sort((a, b) => a - b);
  const description = defineProgramType({
    ...builtin,
    helpers,
    ...(builtin.unprivilegedHelpers === undefined ? {} : { unprivilegedHelpers: builtin.unprivilegedHelpers.filter((id) => typeDef.helpers.has(id)) }),
  });
  return { kind: 'described', source: 'builtin', description };
}

/**
 * What the verifier is told about a program type: the registry's plugin
 * for the type and expected attach type, else the verifier's built-in
 * description, else `none` with the reason.
 */
export function describeProgramType(
  typeDef: ProgramTypeDef,
  expectedAttachType: VerifierProgram['expectedAttachType'],
  registry?: HookRegistry,
): ProgramTypeLookup {
  if (BTF_TYPED_CONTEXT.has(typeDef.name)) {
    return { kind: 'none', reason: 'its context is typed through BTF (PTR_TO_BTF_ID arguments), which the verifier does not model yet' };
  }
  if (BTF_DESCRIBED.has(typeDef.name)) {
    return { kind: 'none', reason: "its context is the attach function's arguments: describe it with describeBtfTyped" };
  }
  const claim = registry?.forProgramType(typeDef.name, expectedAttachType);
  if (claim !== undefined) return fromHook(typeDef, claim.programType, claim.plugin.name);
  const builtin = PROGRAM_TYPES[typeDef.name.toLowerCase()];
  if (builtin !== undefined) return fromBuiltin(typeDef, builtin);
  return { kind: 'none', reason: 'neither a hook plugin nor the verifier describes its context' };
}

/** The maps as the verifier takes them, by their index in the program's map references. */
export function verifierMaps(maps: readonly VerifierMap[]): MapDescription[] {
  return [...maps]
    .sort((a, b) => a.index - b.index)
    .map((m) => ({
      type: m.info.kind,
      keySize: m.info.keySize,
      valueSize: m.info.valueSize,
      maxEntries: m.info.maxEntries,
      ...(m.info.name === '' ? {} : { name: m.info.name }),
      ...((m.info.flags & MAP_FLAG.RDONLY_PROG) !== 0 ? { readonlyProg: true } : {}),
    }));
}

/**
 * The kernel's line info (records by slot, each holding until the next) as
 * the verifier takes it: one entry per instruction, set where a record
 * starts. File names are reduced to their base name.
 */
export function verifierLineInfo(program: Pick<VerifierProgram, 'insns' | 'lineInfo'>): (LineInfo | undefined)[] {
  const bySlot = new Map(program.lineInfo.map((l) => [l.pc, l]));
  const out: (LineInfo | undefined)[] = [];
  let slot = 0;
  for (const insn of program.insns) {
    const l = bySlot.get(slot);
    out.push(l === undefined ? undefined : { line: l.text, file: basename(l.file), lineNumber: l.line, column: l.column });
    slot += insn.kind === 'lddw' ? 2 : 1;
  }
  return out;
}

/**
 * The errno `BPF_PROG_LOAD` fails with for a verifier error: EACCES for
 * most, but Linux's checks of the control flow and of helper calls answer
 * EINVAL, the instruction budget E2BIG and the jump-sequence limit EFAULT
 * (checked with `bpftool prog load` on 6.18).
 */
const REJECTION_ERRNO: Partial<Record<MsgCode, number>> = {
  invalidFunc: ERRNO.EINVAL,
  helperNotAllowed: ERRNO.EINVAL,
  gplOnly: ERRNO.EINVAL,
  helperMightSleep: ERRNO.EINVAL,
  callReservedFields: ERRNO.EINVAL,
  infiniteLoop: ERRNO.EINVAL,
  backEdge: ERRNO.EINVAL,
  unreachableInsn: ERRNO.EINVAL,
  jumpOutOfRange: ERRNO.EINVAL,
  jumpIntoLddw: ERRNO.EINVAL,
  lastInsnNotExit: ERRNO.EINVAL,
  tooManyInsns: ERRNO.E2BIG,
  jumpSeqTooComplex: ERRNO.EFAULT,
};

function rejectionErrno(code: string | undefined): number {
  return REJECTION_ERRNO[code as MsgCode] ?? ERRNO.EACCES;
}

/**
 * A kernel verifier backed by `@bpflab/verifier` (see the module comment).
 * Install it with `new Kernel({ verifier: createKernelVerifier(...) })`.
 */
export function createKernelVerifier(options: KernelVerifierOptions = {}): Verifier {
  const privileged = options.privileged ?? true;
  const logLevel = options.logLevel ?? 1;
  return (program, progType, maps): KernelVerifierVerdict => {
    const lookup = BTF_DESCRIBED.has(progType.name)
      ? describeBtfTyped(progType, program, options.kernelBtf ?? kernelBtf(), options.registry)
      : describeProgramType(progType, program.expectedAttachType, options.registry);
    let verdict: KernelVerifierVerdict;
    if (lookup.kind === 'none') {
      verdict = { ok: true, verified: false, log: notVerifiedLog(progType.name, lookup.reason), errors: [], lookup };
    } else {
      const result = verify(
        { insns: program.insns, lineInfo: verifierLineInfo(program), license: program.license },
        lookup.description,
        {
          privileged,
          logLevel,
          maps: verifierMaps(maps),
          ...(program.btf === undefined ? {} : { btf: true }),
          ...(options.states === true ? { recordStates: true } : {}),
        },
      );
      const explanation = explain(result);
      verdict = {
        ok: result.ok,
        verified: true,
        log: result.log,
        errors: result.errors.map((e) => (e.pc >= 0 ? { message: e.message, pc: e.pc } : { message: e.message })),
        ...(result.ok ? {} : { errno: rejectionErrno(result.errors[0]?.code) }),
        result,
        ...(explanation === undefined ? {} : { explanation }),
        lookup,
      };
    }
    options.onVerdict?.({ program: program.name, progType: progType.name, verdict });
    return verdict;
  };
}
